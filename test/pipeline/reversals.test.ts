// Reversals against the order as it was paid: cancellations with refund and restock, reversals left waiting
// after their conversion settled, backfill of a cancelled order, reconciliation of a partly refunded order.
import { afterEach, describe, expect, it } from "vitest";
import { redactCustomer } from "../../app/compliance/customer-redact.server.ts";
import { orderFromShopify } from "../../app/orders/from-shopify.ts";
import type { NormalizedOrder } from "../../app/orders/model.ts";
import { backfillNetwork } from "../../app/pipeline/backfill.server.ts";
import { reconcileShop } from "../../app/pipeline/reconcile/reconcile.server.ts";
import { releaseWaitingReversals } from "../../app/pipeline/release-waiting.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { moneySet } from "../../devkit/orders/shopify-order.ts";
import { databaseKinds } from "../support/databases.ts";
import { adminNodeFromRest, startAdminApi, type AdminApiStandIn } from "./support/admin-api.ts";
import { simulatorSettings, SHOP, startRelay, type Relay } from "./support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { RetrackSimulator } from "../../app/networks/retrack/simulator.ts";

type RestLine = { id: number; quantity: number; current_quantity: number; price: string };

/**
 * What Shopify sends as orders/cancelled when the merchant cancels with "refund" and "restock": every line's
 * current_quantity is 0, the current totals are 0, and the refund that did it is in the payload.
 */
function cancelledWithRefundAndRestock(paid: Record<string, unknown>): Record<string, unknown> {
  const lines = paid.line_items as RestLine[];
  const zero = moneySet(0, "USD", { currency: "USD", factor: 1 });
  return {
    ...paid,
    cancelled_at: "2026-11-21T10:00:00-05:00",
    cancel_reason: "customer",
    financial_status: "refunded",
    line_items: lines.map((line) => ({ ...line, current_quantity: 0 })),
    current_subtotal_price: "0.00",
    current_subtotal_price_set: zero,
    current_total_tax: "0.00",
    current_total_tax_set: zero,
    current_total_price: "0.00",
    current_total_price_set: zero,
    refunds: [
      {
        id: 930_001,
        order_id: paid.id,
        created_at: "2026-11-21T10:00:00-05:00",
        restock: true,
        refund_line_items: lines.map((line, index) => ({
          id: 940_000 + index,
          line_item_id: line.id,
          quantity: line.quantity,
          restock_type: "cancel",
          subtotal: line.price,
        })),
        transactions: [{ id: 950_001, kind: "refund", status: "success", amount: paid.total_price }],
      },
    ],
  };
}

/** Delivers what is due, then stops that worker, so that nothing changes the rows the test sets up next. */
async function settle(relay: Relay) {
  const worker = relay.worker();
  await worker.idle();
  await worker.stop();
}

describe.each(databaseKinds)("reversals on %s", (kind) => {
  let relay: Relay;
  let admin: AdminApiStandIn | undefined;
  afterEach(async () => {
    await admin?.close();
    admin = undefined;
    await relay?.close();
  });

  it("reverses a cancellation with refund and restock in full, keeping the order as paid and its redaction", async () => {
    relay = await startRelay(kind);
    const paid = attributedOrder(1);
    expect(await relay.post("orders/paid", paid)).toBe(200);
    await relay.worker().idle();
    const before = await relay.db.order.findFirstOrThrow();
    await redactCustomer(relay.db, { shop: SHOP, customerId: "6000001", email: "ada@example.com", orderIds: [] });

    expect(await relay.post("orders/cancelled", cancelledWithRefundAndRestock(paid))).toBe(200);
    await relay.worker().idle();

    const cancels = relay.sims.accepted("refersion").filter((r) => r.kind === "cancel");
    expect(cancels).toHaveLength(1);
    const items = (cancels[0]!.body as { items: Array<{ sku: string; quantity: number; price: number }> }).items;
    expect(items.map((i) => [i.sku, i.quantity, i.price])).toEqual([["SKU-1", 2, 12.5], ["SKU-2", 1, 40]]);
    const conversion = await relay.db.delivery.findFirstOrThrow({ where: { network: "retrack", kind: "conversion" } });
    expect(relay.sims.simulator("retrack", RetrackSimulator).transactions.get(conversion.externalRef!)?.status).toBe("rejected");

    const after = await relay.db.order.findFirstOrThrow();
    const stored = JSON.parse(after.payload) as NormalizedOrder;
    const asPaid = JSON.parse(before.payload) as NormalizedOrder;
    expect(stored.lines).toEqual(asPaid.lines);
    expect(stored.totalPaid).toEqual(asPaid.totalPaid);
    expect(stored.cancelledAt).toBe("2026-11-21T10:00:00-05:00");
    expect(after.cancelledAt?.toISOString()).toBe("2026-11-21T15:00:00.000Z");
    // customers/redact scrubbed the customer; the cancellation does not write them back.
    expect([after.customerEmail, after.customerId]).toEqual([null, null]);
    expect(after.payload).not.toContain("ada@example.com");
  });

  it("records an order first seen through its cancellation as it was paid", async () => {
    relay = await startRelay(kind);
    const paid = attributedOrder(2);
    expect(await relay.post("orders/cancelled", cancelledWithRefundAndRestock(paid))).toBe(200);
    const row = await relay.db.order.findFirstOrThrow();
    const stored = JSON.parse(row.payload) as NormalizedOrder;
    expect(stored).toEqual({ ...orderFromShopify(paid), cancelledAt: "2026-11-21T10:00:00-05:00" });
  });

  it("stores the customer's email lowercased, so customers/redact finds the order", async () => {
    relay = await startRelay(kind);
    const paid = attributedOrder(3);
    const customer = { ...(paid.customer as Record<string, unknown>), email: "Ada.Lovelace@Example.COM" };
    await relay.post("orders/paid", { ...paid, email: "Ada.Lovelace@Example.COM", customer });
    expect((await relay.db.order.findFirstOrThrow()).customerEmail).toBe("ada.lovelace@example.com");
    expect(await redactCustomer(relay.db, { shop: SHOP, customerId: null, email: "ada.lovelace@example.com", orderIds: [] })).toMatchObject({ orders: 1 });
  });

  it("releases reversals left waiting after their conversion succeeded, and skips those whose conversion was skipped", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(4));
    await relay.post("orders/paid", attributedOrder(5, { attributed: false }));
    await settle(relay);
    // The race on PostgreSQL: the cancellations are written as waiting after the worker recorded the conversions.
    for (const n of [4, 5]) await relay.post("orders/cancelled", { ...attributedOrder(n, { attributed: n === 4 }), cancelled_at: "2026-11-21T10:00:00Z" });
    await relay.db.delivery.updateMany({ where: { kind: "cancellation", network: { in: ["refersion", "retrack"] } }, data: { status: "waiting", reason: "waiting" } });
    const now = new Date();
    expect(await releaseWaitingReversals(relay.db, now)).toEqual({ released: 3, skipped: 1 });
    const rows = await relay.db.delivery.findMany({ where: { kind: "cancellation", network: { in: ["refersion", "retrack"] } }, orderBy: [{ order: { shopifyOrderId: "asc" } }, { network: "asc" }] });
    expect(rows.map((d) => [d.network, d.status])).toEqual([["refersion", "pending"], ["retrack", "pending"], ["refersion", "pending"], ["retrack", "skipped"]]);
    expect(rows[3]!.reason).toMatch(/^the order was never sent \(.+\), so there is nothing to reverse$/);
    expect(rows[3]!.completedAt).not.toBeNull();
    expect(await releaseWaitingReversals(relay.db, now)).toEqual({ released: 0, skipped: 0 });

    // The worker's periodic maintenance runs the sweep: a reversal stuck waiting is delivered.
    await relay.db.delivery.updateMany({ where: { status: "pending" }, data: { status: "waiting", reason: "waiting" } });
    const worker = relay.worker();
    await expect.poll(() => relay.db.delivery.count({ where: { status: "waiting" } })).toBe(0);
    await worker.idle();
    await expect.poll(() => relay.sims.accepted("refersion").filter((r) => r.kind === "cancel").length).toBe(2);
  });

  it("backfills a cancelled order's reversal against the conversion already delivered", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(6));
    await settle(relay);
    // Retrack is switched off while the order is cancelled, then on again and backfilled.
    const settings = simulatorSettings(relay.sims);
    await saveSettingsFile(relay.db, SHOP, { ...settings, networks: { ...settings.networks, retrack: { ...settings.networks.retrack, enabled: false } } });
    await relay.post("orders/cancelled", { ...attributedOrder(6), cancelled_at: "2026-11-21T10:00:00Z" });
    await saveSettingsFile(relay.db, SHOP, settings);
    expect(await backfillNetwork(relay.db, { shop: SHOP, network: "retrack", days: 7 })).toEqual({ orders: 1, queued: 0, skipped: 0, alreadyThere: 1 });
    const cancellation = await relay.db.delivery.findFirstOrThrow({ where: { network: "retrack", kind: "cancellation" } });
    expect(cancellation.status).toBe("pending");
  });

  it("reconciles a partly refunded order as it was paid, so its refund is taken off once", async () => {
    relay = await startRelay(kind);
    const token = "shpat_reconcile_token";
    await relay.db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: token } });
    admin = await startAdminApi(token);
    process.env.SHOPIFY_ADMIN_API_ORIGIN = admin.origin;
    const paid = attributedOrder(7);
    // Since then the 40.00 line was refunded: GraphQL's current figures say so, the original ones do not.
    const refunded = {
      ...paid,
      line_items: (paid.line_items as RestLine[]).map((line, index) => (index === 1 ? { ...line, current_quantity: 0 } : line)),
      current_total_price_set: moneySet(Number(String(paid.total_price).replace(".", "")) - 4000, "USD", { currency: "USD", factor: 1 }),
    };
    const now = new Date();
    admin.orders.push({ node: adminNodeFromRest(refunded), updatedAt: new Date(now.getTime() - 3_600_000).toISOString() });
    const result = await reconcileShop(relay.db, SHOP, { lookbackMs: 6 * 3_600_000, now });
    expect(result.recorded).toEqual([String(paid.id)]);
    const stored = JSON.parse((await relay.db.order.findFirstOrThrow()).payload) as NormalizedOrder;
    const asPaid = orderFromShopify(paid);
    expect(stored.lines.map((l) => [l.sku, l.quantity])).toEqual([["SKU-1", 2], ["SKU-2", 1]]);
    expect(stored.totalPaid).toEqual(asPaid.totalPaid);
    expect(stored.totalTax).toEqual(asPaid.totalTax);
  });
});

// The order webhooks through their real Remix route actions, with requests signed exactly as Shopify signs them:
// one transaction per webhook, never a second delivery for the same order, nothing written for a bad request.
import { describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { shopifyRefund } from "../../devkit/orders/shopify-order.ts";
import { databaseKinds } from "../support/databases.ts";
import { freshDbPerTest } from "./support/fresh-db.ts";
import { postWebhook, type WebhookTopic } from "../../devkit/route-server.ts";
import { attributedOrder, DEMO_SETTINGS } from "../../devkit/orders/attributed-order.ts";
import { networks } from "../../app/networks/registry.ts";

const SHOP = "pipeline-routes.myshopify.com";
/** Every registered network is on (DEMO_SETTINGS); rows come back ordered by network id. */
const N = networks.length;
const byId = [...networks].sort((a, b) => (a.id < b.id ? -1 : 1));
/**
 * Without a click: a network that captures one on the storefront skips the order (the conformance suite holds each
 * to that); the others send every order.
 */
const withoutClick = (network: (typeof networks)[number]) => (network.storefront ? "skipped" : "pending");
/** A reversal waits for its conversion where the network has one, and is skipped where it has none. */
const reversal = (network: (typeof networks)[number]) => (network.reversal.supported ? "waiting" : "skipped");
/** To the topic's own route, unless `route` names another. */
function post(topic: string, body: unknown, options: { eventId?: string; secret?: string; shop?: string; triggeredAt?: string; route?: WebhookTopic } = {}) {
  const { triggeredAt, route = topic as WebhookTopic, ...signed } = options;
  return postWebhook({ topic, route, body, ...signed, shop: options.shop ?? SHOP, ...(triggeredAt ? { headers: { "X-Shopify-Triggered-At": triggeredAt } } : {}) });
}

describe.each(databaseKinds)("order webhooks on %s", (kind) => {
  let db: Db;
  freshDbPerTest(kind, (fresh) => (db = fresh), { shop: SHOP, settings: DEMO_SETTINGS });

  const counts = async () => ({
    receipts: await db.webhookReceipt.count(),
    orders: await db.order.count(),
    deliveries: await db.delivery.count(),
  });

  it("records the order and one pending conversion per enabled network, in one go", async () => {
    const response = await post("orders/paid", attributedOrder(1), { eventId: "evt-1" });
    expect(response.status).toBe(200);
    const order = await db.order.findUniqueOrThrow({ where: { shop_shopifyOrderId: { shop: SHOP, shopifyOrderId: "5000000001" } } });
    expect(order.name).toBe("#1001");
    expect(order.paidAt).toBeInstanceOf(Date);
    const deliveries = await db.delivery.findMany({ where: { orderId: order.id }, orderBy: { network: "asc" } });
    expect(deliveries.map((d) => [d.network, d.kind, d.status])).toEqual(byId.map((network) => [network.id, "conversion", "pending"]));
    expect(deliveries.every((d) => d.credentialsVersion === 1 && d.attempts === 0)).toBe(true);
    expect(await db.webhookReceipt.findMany({ where: { eventId: "evt-1" } })).toMatchObject([{ shop: SHOP, topic: "orders/paid" }]);
  });

  it("records a delivery of another shop or another topic that carries an event id already seen", async () => {
    expect((await post("orders/paid", attributedOrder(20), { eventId: "evt-shared" })).status).toBe(200);
    // Another shop's orders/paid with the same event id: its own order and conversions.
    expect((await post("orders/paid", attributedOrder(21), { eventId: "evt-shared", shop: "second-shop.myshopify.com" })).status).toBe(200);
    expect(await db.order.count({ where: { shop: "second-shop.myshopify.com" } })).toBe(1);
    // The first shop's orders/cancelled with the same event id: the cancellation is recorded.
    const cancel = await post("orders/cancelled", { ...attributedOrder(20), cancelled_at: "2026-11-21T10:00:00Z" }, { eventId: "evt-shared" });
    expect(cancel.status).toBe(200);
    expect(await db.delivery.count({ where: { shop: SHOP, kind: "cancellation" } })).toBe(N);
    const receipts = await db.webhookReceipt.findMany({ where: { eventId: "evt-shared" }, orderBy: [{ shop: "asc" }, { topic: "asc" }] });
    expect(receipts.map((r) => [r.shop, r.topic])).toEqual([
      [SHOP, "orders/cancelled"],
      [SHOP, "orders/paid"],
      ["second-shop.myshopify.com", "orders/paid"],
    ]);
    // And each of the three is still a duplicate of itself.
    expect((await post("orders/paid", attributedOrder(21), { eventId: "evt-shared", shop: "second-shop.myshopify.com" })).status).toBe(200);
    expect(await counts()).toEqual({ receipts: 3, orders: 2, deliveries: 2 * N });
  });

  it("acknowledges a repeated event id and changes nothing", async () => {
    await post("orders/paid", attributedOrder(2), { eventId: "evt-2" });
    const before = await db.order.findFirstOrThrow();
    const again = await post("orders/paid", attributedOrder(2), { eventId: "evt-2" });
    expect(again.status).toBe(200);
    expect(await counts()).toEqual({ receipts: 1, orders: 1, deliveries: N });
    expect((await db.order.findFirstOrThrow()).updatedAt).toEqual(before.updatedAt);
  });

  it("never makes a second delivery for the same order under new event ids, even all at once", async () => {
    await post("orders/paid", attributedOrder(3), { eventId: "evt-3a" });
    expect((await post("orders/paid", attributedOrder(3), { eventId: "evt-3b" })).status).toBe(200);
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => post("orders/paid", attributedOrder(4), { eventId: `evt-4-${i}` })));
    expect(burst.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(await counts()).toEqual({ receipts: 14, orders: 2, deliveries: 2 * N });
    const perPair = await db.delivery.groupBy({ by: ["orderId", "network", "kind"], _count: true });
    expect(perPair.every((group) => group._count === 1)).toBe(true);
  });

  it("answers 400 to a signed webhook of another topic than the route's, and writes nothing", async () => {
    // The case: a genuine orders/cancelled delivery posted to /webhooks/orders/paid.
    const cancelledBody = { ...attributedOrder(13), cancelled_at: "2026-11-21T10:00:00Z" };
    expect((await post("orders/cancelled", cancelledBody, { eventId: "evt-13", route: "orders/paid" })).status).toBe(400);
    const refund = shopifyRefund({ id: 779, orderId: 5_000_000_013, lines: [{ lineItemId: 10_001, quantity: 1, subtotal: 4000 }] });
    const routes = [
      ["orders/paid", attributedOrder(13)],
      ["orders/cancelled", cancelledBody],
      ["refunds/create", refund],
    ] as const;
    for (const [topic, body] of routes) {
      for (const other of ["orders/paid", "orders/cancelled", "refunds/create", "orders/updated", "app/uninstalled"].filter((t) => t !== topic)) {
        expect((await post(other, body, { eventId: `evt-13-${other}`, route: topic })).status, `${other} posted to ${topic}`).toBe(400);
      }
    }
    expect(await counts()).toEqual({ receipts: 0, orders: 0, deliveries: 0 });
    // Shopify's own spelling of the route's topic is of course accepted.
    expect((await post("orders/paid", attributedOrder(13), { eventId: "evt-13" })).status).toBe(200);
    expect(await counts()).toEqual({ receipts: 1, orders: 1, deliveries: N });
  });

  it("records a shop header in capitals, as Shopify's library accepts it, under the shop's own domain", async () => {
    expect((await post("orders/paid", attributedOrder(14), { eventId: "evt-14", shop: "Pipeline-Routes.myshopify.com" })).status).toBe(200);
    expect(await db.order.count({ where: { shop: SHOP } })).toBe(1);
    expect(await db.delivery.count({ where: { shop: SHOP, status: "pending" } })).toBe(N);
    // The same delivery with the shop spelled as Shopify spells it is its retry.
    expect((await post("orders/paid", attributedOrder(14), { eventId: "evt-14" })).status).toBe(200);
    expect(await counts()).toEqual({ receipts: 1, orders: 1, deliveries: N });
  });

  it("answers 401 to a bad signature and writes nothing", async () => {
    const response = await post("orders/paid", attributedOrder(5), { eventId: "evt-5", secret: "not-the-app-secret" });
    expect(response.status).toBe(401);
    expect(await counts()).toEqual({ receipts: 0, orders: 0, deliveries: 0 });
  });

  it("answers 422 with a one-line reason to a signed payload that is not an order, and writes nothing", async () => {
    const response = await post("orders/paid", { id: 7, name: "#7" }, { eventId: "evt-6" });
    expect(response.status).toBe(422);
    expect(response.text).toMatch(/^not a Shopify order: /);
    expect(response.text).not.toContain("\n");
    expect(await counts()).toEqual({ receipts: 0, orders: 0, deliveries: 0 });
  });

  it("records skips with a reason the merchant can read", async () => {
    await post("orders/paid", attributedOrder(7, { test: true }), { eventId: "evt-7" });
    await post("orders/paid", attributedOrder(8, { attributed: false }), { eventId: "evt-8" });
    const testOrder = await db.delivery.findMany({ where: { order: { shopifyOrderId: "5000000007" } } });
    expect(testOrder.map((d) => d.status)).toEqual(Array(N).fill("skipped"));
    for (const d of testOrder) expect(d.reason).toMatch(/test order/i);
    const unattributed = await db.delivery.findMany({ where: { order: { shopifyOrderId: "5000000008" } }, orderBy: { network: "asc" } });
    expect(unattributed.map((d) => [d.network, d.status])).toEqual(byId.map((network) => [network.id, withoutClick(network)]));
    // Each skip names the cart attribute the click would have come in.
    for (const [index, network] of byId.entries()) if (network.storefront) expect(unattributed[index]!.reason).toContain(network.storefront.cartAttribute);
  });

  it("still records the order of a shop with no settings, for a later backfill", async () => {
    const response = await post("orders/paid", attributedOrder(9), { eventId: "evt-9", shop: "no-settings.myshopify.com" });
    expect(response.status).toBe(200);
    expect(await db.order.count({ where: { shop: "no-settings.myshopify.com" } })).toBe(1);
    expect(await db.delivery.count({ where: { shop: "no-settings.myshopify.com" } })).toBe(0);
  });

  it("makes cancellations wait for their conversion, and skips them where the network has no reversal", async () => {
    await post("orders/paid", attributedOrder(10), { eventId: "evt-10" });
    const response = await post("orders/cancelled", { ...attributedOrder(10), cancelled_at: "2026-11-21T10:00:00Z" }, { eventId: "evt-10c" });
    expect(response.status).toBe(200);
    const rows = await db.delivery.findMany({ where: { kind: "cancellation" }, orderBy: { network: "asc" } });
    expect(rows.map((d) => [d.network, d.status])).toEqual(byId.map((network) => [network.id, reversal(network)]));
    for (const [index, network] of byId.entries()) if (!network.reversal.supported) expect(rows[index]!.reason).toBe(network.reversal.reason);
    expect((await db.order.findFirstOrThrow()).cancelledAt?.toISOString()).toBe("2026-11-21T10:00:00.000Z");
    // A conversion that was never sent has nothing to reverse.
    await post("orders/paid", attributedOrder(11, { attributed: false }), { eventId: "evt-11" });
    await post("orders/cancelled", attributedOrder(11, { attributed: false }), { eventId: "evt-11c" });
    const retrack = await db.delivery.findFirstOrThrow({ where: { kind: "cancellation", network: "retrack", order: { shopifyOrderId: "5000000011" } } });
    expect(retrack.status).toBe("skipped");
    expect(retrack.reason).toMatch(/never sent/);
  });

  it("records a refund against its order, and asks Shopify to retry one whose order is not recorded yet", async () => {
    await post("orders/paid", attributedOrder(12), { eventId: "evt-12" });
    const refund = shopifyRefund({ id: 777, orderId: 5_000_000_012, lines: [{ lineItemId: 10_001, quantity: 1, subtotal: 4000 }] });
    expect((await post("refunds/create", refund, { eventId: "evt-12r" })).status).toBe(200);
    const rows = await db.delivery.findMany({ where: { kind: "refund:777" }, orderBy: { network: "asc" } });
    expect(rows.map((d) => [d.network, d.status])).toEqual(byId.map((network) => [network.id, reversal(network)]));
    for (const row of rows.filter((d) => d.status === "waiting")) expect(JSON.parse(row.payload!)).toMatchObject({ id: "777", orderId: "5000000012" });

    const orphan = shopifyRefund({ id: 778, orderId: 5_000_000_999, lines: [{ lineItemId: 1, quantity: 1, subtotal: 100 }] });
    const recent = await post("refunds/create", orphan, { eventId: "evt-r1", triggeredAt: new Date().toISOString() });
    expect(recent.status).toBe(503);
    const old = await post("refunds/create", orphan, { eventId: "evt-r2", triggeredAt: new Date(Date.now() - 7 * 3_600_000).toISOString() });
    expect(old.status).toBe(200);
    expect(await db.delivery.count({ where: { kind: "refund:778" } })).toBe(0);
  });
});

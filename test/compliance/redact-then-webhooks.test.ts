// customers/redact, then Shopify keeps talking about the order: orders/paid again under a new event id,
// reconciliation recording it again (no receipt), a cancellation. Each of them carries the customer again; none may bring her back into what the app holds (app/pipeline/outbox.server.ts keeps a redacted row's
// scrubbed payload and customer columns).
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterEach, describe, expect, it } from "vitest";
import { orderFromShopify } from "../../app/orders/from-shopify.ts";
import { recordOrder } from "../../app/pipeline/outbox.server.ts";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact.tsx";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { signedWebhookRequest } from "../../devkit/shopify-webhook.ts";
import { SHOP, startRelay, type Relay } from "../pipeline/support/harness.ts";
import { databaseKinds } from "../support/databases.ts";

const EMAIL = "jane.roe@example.com";
const NAMES_HER = /jane|(?<![a-z])roe(?![a-z])|198\.51\.100\.23/i;

function janesOrder(extra: Record<string, unknown> = {}) {
  return {
    ...attributedOrder(7),
    email: EMAIL,
    browser_ip: "198.51.100.23",
    customer: { id: 6_000_777, first_name: "Jane", last_name: "Roe", email: EMAIL },
    landing_site: `/?email=${encodeURIComponent(EMAIL)}`,
    ...extra,
  };
}

async function redact(): Promise<number> {
  const request = signedWebhookRequest({
    topic: "customers/redact",
    shop: SHOP,
    body: { shop_id: 1, shop_domain: SHOP, customer: { id: 6_000_777, email: EMAIL, phone: null }, orders_to_redact: [5_000_000_007] },
  });
  return (await customersRedact({ request, params: {}, context: {} } as ActionFunctionArgs)).status;
}

describe.each(databaseKinds)("after customers/redact on %s", (kind) => {
  let relay: Relay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  async function heldOrder() {
    const order = await relay!.db.order.findFirstOrThrow({ where: { shop: SHOP } });
    return { order, text: JSON.stringify(order) };
  }

  it("a later orders/paid, reconciliation and a cancellation never bring the customer back", async () => {
    relay = await startRelay(kind);
    expect(await relay.post("orders/paid", janesOrder(), "evt-paid-1")).toBe(200);
    expect((await heldOrder()).text).toMatch(NAMES_HER);
    expect(await redact()).toBe(200);
    const scrubbed = await heldOrder();
    expect(scrubbed.text).not.toMatch(NAMES_HER);

    // Shopify's retry of the same event is a duplicate; the same order under another event id is not.
    expect(await relay.post("orders/paid", janesOrder(), "evt-paid-1")).toBe(200);
    expect(await relay.post("orders/paid", janesOrder(), "evt-paid-2")).toBe(200);
    let now = await heldOrder();
    expect(now.text).not.toMatch(NAMES_HER);
    expect(now.order.customerId).toBeNull();
    expect(now.order.customerEmail).toBeNull();
    expect(now.order.payload).toBe(scrubbed.order.payload);

    // Reconciliation records orders without a receipt (the transaction path on both databases).
    await recordOrder(relay.db, { shop: SHOP, order: orderFromShopify(janesOrder()), paidAt: new Date(), plan: () => [] });
    now = await heldOrder();
    expect(now.text).not.toMatch(NAMES_HER);
    expect(now.order.payload).toBe(scrubbed.order.payload);

    const cancelledAt = new Date().toISOString();
    expect(await relay.post("orders/cancelled", janesOrder({ cancelled_at: cancelledAt }), "evt-cancel-1")).toBe(200);
    now = await heldOrder();
    expect(now.text).not.toMatch(NAMES_HER);
    expect(now.order.cancelledAt?.toISOString()).toBe(cancelledAt);
    expect(now.order.redactedAt).not.toBeNull();
  });

  it("an order that was never redacted still takes a later webhook's payload", async () => {
    relay = await startRelay(kind);
    expect(await relay.post("orders/paid", janesOrder(), "evt-paid-1")).toBe(200);
    expect(await relay.post("orders/paid", janesOrder({ email: "jane.new@example.com", customer: { id: 6_000_778, first_name: "Jane", last_name: "Roe", email: "jane.new@example.com" } }), "evt-paid-2")).toBe(200);
    const { order } = await heldOrder();
    expect(order.customerEmail).toBe("jane.new@example.com");
    expect(order.customerId).toBe("6000778");
  });
});

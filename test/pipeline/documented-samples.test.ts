// Shopify's documented sample payloads (what "Send test notification" delivers) through the real webhook routes,
// signed over their raw bytes: recorded with every 64-bit id exact, on both databases.
import { describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import {
  documentedCancelledOrderText,
  documentedPaidOrderText,
  documentedRefundText,
  SAMPLE_CUSTOMER_ID,
  SAMPLE_LINE_IDS,
  SAMPLE_ORDER_ID,
  SAMPLE_REFUND_ID,
} from "../fixtures/shopify-samples/index.ts";
import { databaseKinds } from "../support/databases.ts";
import { freshDbPerTest } from "./support/fresh-db.ts";
import { postWebhook, type WebhookTopic } from "../../devkit/route-server.ts";
import { simulatedSettingsFile } from "../../devkit/simulators/settings.ts";

// These tests read the figures of three networks by name; every registered network gets the shared rules through
// test/networks/conformance.test.ts.
const DEMO_SETTINGS = simulatedSettingsFile(["refersion", "retrack", "flexoffers"]);

const SHOP = "documented-samples.myshopify.com";
/** The sample's own bytes, never parsed and serialized again: JSON numbers would lose the 64-bit ids. */
const postRaw = (topic: WebhookTopic, raw: string) => postWebhook({ topic, shop: SHOP, body: null, raw });

describe.each(databaseKinds)("Shopify's documented sample webhooks on %s", (kind) => {
  let db: Db;
  // The sample is a test order: send test orders, so that its deliveries are real ones.
  freshDbPerTest(kind, (fresh) => (db = fresh), { shop: SHOP, settings: { ...DEMO_SETTINGS, sendTestOrders: true } });

  it("records orders/paid, orders/cancelled and refunds/create with the exact ids", async () => {
    expect(await postRaw("orders/paid", documentedPaidOrderText())).toEqual({ status: 200, text: "" });
    const order = await db.order.findFirstOrThrow({ where: { shop: SHOP } });
    expect(order.shopifyOrderId).toBe(SAMPLE_ORDER_ID);
    expect(order.customerId).toBe(SAMPLE_CUSTOMER_ID);
    expect(JSON.parse(order.payload)).toMatchObject({ id: SAMPLE_ORDER_ID, lines: SAMPLE_LINE_IDS.map((id) => ({ id })) });
    const conversions = await db.delivery.findMany({ where: { orderId: order.id }, orderBy: { network: "asc" } });
    // No click on the sample: Refersion (which takes every order) is pending, the other two skip with a reason.
    expect(conversions.map((d) => [d.network, d.status])).toEqual([
      ["flexoffers", "skipped"],
      ["refersion", "pending"],
      ["retrack", "skipped"],
    ]);

    expect((await postRaw("orders/cancelled", documentedCancelledOrderText())).status).toBe(200);
    expect(await db.order.count({ where: { shop: SHOP } })).toBe(1);
    expect(await db.delivery.count({ where: { orderId: order.id, kind: "cancellation" } })).toBe(3);

    expect((await postRaw("refunds/create", documentedRefundText())).status).toBe(200);
    const refund = await db.delivery.findFirstOrThrow({ where: { orderId: order.id, kind: `refund:${SAMPLE_REFUND_ID}`, network: "refersion" } });
    expect(JSON.parse(refund.payload!)).toMatchObject({ id: SAMPLE_REFUND_ID, orderId: SAMPLE_ORDER_ID, lines: [{ lineId: SAMPLE_LINE_IDS[0] }] });
  });
});

// An order that cannot be priced in the currency the settings ask for is still recorded, and the merchant sees it
// skipped on every enabled network with the reason; in the shop currency the same payload is delivered.
// Through the real webhook routes, on both databases.
import { describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { shopifyOrder, shopifyRefund, withoutMoneySets } from "../../devkit/orders/shopify-order.ts";
import { databaseKinds } from "../support/databases.ts";
import { freshDbPerTest } from "./support/fresh-db.ts";
import { postWebhook, type WebhookTopic } from "../../devkit/route-server.ts";
import { simulatedSettingsFile } from "../../devkit/simulators/settings.ts";

// These tests read the figures of three networks by name; every registered network gets the shared rules through
// test/networks/conformance.test.ts.
const DEMO_SETTINGS = simulatedSettingsFile(["refersion", "retrack", "flexoffers"]);

const SHOP = "unpriceable.myshopify.com";
const post = (topic: WebhookTopic, body: unknown) => postWebhook({ topic, shop: SHOP, body });

const order = (id: number) =>
  withoutMoneySets(
    shopifyOrder({
      id,
      currency: "USD",
      presentment: { currency: "EUR", factor: 2 },
      lines: [{ quantity: 2, unitPrice: 1250, discounts: [250], taxes: [{ amount: 180, rate: "0.08" }] }],
      noteAttributes: { _retrack_click: "2b1f3c1e-6a5d-4c1b-9f0e-000000000001", _flexoffers_refid: "fo-1" },
    }),
  );

describe.each(databaseKinds)("orders Shopify sent without money sets, on %s", (kind) => {
  let db: Db;
  freshDbPerTest(kind, (fresh) => (db = fresh));

  const deliveries = (kind: string) => db.delivery.findMany({ where: { shop: SHOP, kind }, orderBy: { network: "asc" } });

  it("records the order and a skip with the reason on every enabled network when presentment amounts are unknown", async () => {
    await saveSettingsFile(db, SHOP, { ...DEMO_SETTINGS, currency: "presentment" });
    expect(await post("orders/paid", order(5_100_000_001))).toEqual({ status: 200, text: "" });
    const recorded = await db.order.findFirstOrThrow({ where: { shop: SHOP } });
    expect(JSON.parse(recorded.payload).notes[0]).toMatch(/EUR amount is unknown/);
    const rows = await deliveries("conversion");
    expect(rows.map((d) => [d.network, d.status])).toEqual([
      ["flexoffers", "skipped"],
      ["refersion", "skipped"],
      ["retrack", "skipped"],
    ]);
    for (const row of rows) {
      expect(row.reason).toMatch(/^the order cannot be priced in the presentment currency \(what the shopper saw\), EUR: .*line_items\.0\.price/);
      expect(row.completedAt).toBeInstanceOf(Date);
    }
  });

  it("delivers the same order in the shop currency", async () => {
    await saveSettingsFile(db, SHOP, DEMO_SETTINGS);
    expect((await post("orders/paid", order(5_100_000_002))).status).toBe(200);
    expect((await deliveries("conversion")).map((d) => d.status)).toEqual(["pending", "pending", "pending"]);
  });

  it("skips a refund with the reason where its amounts are unknown in the settings' currency", async () => {
    // The order itself came whole; only the refund lacks its money sets.
    await saveSettingsFile(db, SHOP, { ...DEMO_SETTINGS, currency: "presentment" });
    const whole = shopifyOrder({ id: 5_100_000_003, currency: "USD", presentment: { currency: "EUR", factor: 2 }, lines: [{ quantity: 2, unitPrice: 1250 }] });
    expect((await post("orders/paid", whole)).status).toBe(200);
    const refund = withoutMoneySets(shopifyRefund({ id: 901, orderId: 5_100_000_003, lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 1250 }] }));
    expect((await post("refunds/create", refund)).status).toBe(200);
    const rows = await deliveries("refund:901");
    expect(rows.map((d) => [d.network, d.status])).toEqual([
      ["flexoffers", "skipped"],
      ["refersion", "skipped"],
      ["retrack", "skipped"],
    ]);
    expect(rows[1]!.reason).toMatch(/^refund 901 cannot be priced in the presentment currency/);
  });
});

// One shopper must not be able to make their own order vanish: NUL and other control characters in text they
// control (landing page URL, cart attributes, discount codes, titles, the order name) are cleaned at the edge, so
// the order is recorded on PostgreSQL (which refuses a NUL in text) as on SQLite, with every delivery planned.
import { describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { shopifyOrder } from "../../devkit/orders/shopify-order.ts";
import { databaseKinds } from "../support/databases.ts";
import { freshDbPerTest } from "./support/fresh-db.ts";
import { postWebhook, type WebhookTopic } from "../../devkit/route-server.ts";
import { simulatedSettingsFile } from "../../devkit/simulators/settings.ts";

// These tests read the figures of three networks by name; every registered network gets the shared rules through
// test/networks/conformance.test.ts.
const DEMO_SETTINGS = simulatedSettingsFile(["refersion", "retrack", "flexoffers"]);

const SHOP = "shopper-text.myshopify.com";
const post = async (topic: WebhookTopic, body: unknown) => (await postWebhook({ topic, shop: SHOP, body })).status;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

describe.each(databaseKinds)("shopper-controlled text with control characters on %s", (kind) => {
  let db: Db;
  freshDbPerTest(kind, (fresh) => (db = fresh), { shop: SHOP, settings: DEMO_SETTINGS });

  async function everythingStored() {
    const orders = await db.order.findMany({ where: { shop: SHOP } });
    const deliveries = await db.delivery.findMany({ where: { shop: SHOP } });
    for (const text of [...orders.flatMap((o) => [o.name, o.payload]), ...deliveries.map((d) => d.reason ?? "")]) {
      expect(text).not.toMatch(CONTROL);
      expect(text).not.toContain("\\u0000");
    }
    return { orders, deliveries };
  }

  it("records an order whose landing page is /?click=%00, with a skip reason the database can hold", async () => {
    expect(await post("orders/paid", shopifyOrder({ id: 1, landingSite: "/?click=%00&refid=%00%0A" , lines: [{ quantity: 1, unitPrice: 100 }] }))).toBe(200);
    const { orders, deliveries } = await everythingStored();
    expect(orders).toHaveLength(1);
    expect(deliveries.map((d) => [d.network, d.status]).sort()).toEqual([
      ["flexoffers", "skipped"],
      ["refersion", "pending"],
      ["retrack", "skipped"],
    ]);
  });

  it("records an order with a NUL in its name, titles, discount codes and cart attributes", async () => {
    const order = shopifyOrder({
      id: 2,
      name: "#10\u000002",
      lines: [{ sku: "TEE\u0000", title: "Tee\u0000\u001b[31m", quantity: 1, unitPrice: 100 }],
      discountCodes: ["SAVE\u000010"],
      noteAttributes: { _retrack_click: "not-a-click\u0000", "_flexoffers_refid\u0000": "FO\u0000-1", _refersion_cart_id: "cart\u0000-1" },
    });
    expect(await post("orders/paid", order)).toBe(200);
    const { orders, deliveries } = await everythingStored();
    expect(orders[0]!.name).toBe("#1002");
    expect(JSON.parse(orders[0]!.payload)).toMatchObject({ reference: "1002", discountCodes: ["SAVE10"], lines: [{ sku: "TEE", title: "Tee[31m" }] });
    expect(deliveries).toHaveLength(3);
    expect(deliveries.find((d) => d.network === "retrack")!.reason).toMatch(/"not-a-click" is not a Retrack click id/);
    expect(deliveries.find((d) => d.network === "flexoffers")!.status).toBe("pending");
  });

  it("records a cancellation of an order it never saw, with a NUL in the name", async () => {
    expect(await post("orders/cancelled", { ...shopifyOrder({ id: 3, name: "#3\u0000", lines: [{ quantity: 1, unitPrice: 100 }] }), cancelled_at: "2026-11-21T10:00:00Z" })).toBe(200);
    const { orders } = await everythingStored();
    expect(orders.map((o) => o.name)).toEqual(["#3"]);
  });
});

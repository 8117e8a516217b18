// An order without protected customer data (no Level 2 approval: names and emails redacted, blank or absent) is
// recorded and delivered like any other, and stores no stand-in for the email it did not get. Both databases.
import { describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { databaseKinds } from "../support/databases.ts";
import { freshDbPerTest } from "./support/fresh-db.ts";
import { postWebhook } from "../../devkit/route-server.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { simulatedSettingsFile } from "../../devkit/simulators/settings.ts";

// These tests read the figures of three networks by name; every registered network gets the shared rules through
// test/networks/conformance.test.ts.
const DEMO_SETTINGS = simulatedSettingsFile(["refersion", "retrack", "flexoffers"]);

const SHOP = "no-level-two.myshopify.com";

describe.each(databaseKinds)("orders without protected customer data on %s", (kind) => {
  let db: Db;
  freshDbPerTest(kind, (fresh) => (db = fresh), { shop: SHOP, settings: DEMO_SETTINGS });

  it("records and queues them for every network, with no email stored", async () => {
    const redacted = [
      { ...attributedOrder(1), email: null, contact_email: null, customer: { id: 6_000_001, first_name: null, last_name: null, email: null } },
      { ...attributedOrder(2), email: "", customer: { id: 6_000_002, first_name: "", last_name: " ", email: "" } },
      { ...attributedOrder(3), email: undefined, customer: null },
    ];
    for (const body of redacted) {
      expect((await postWebhook({ topic: "orders/paid", shop: SHOP, body })).status).toBe(200);
    }
    const orders = await db.order.findMany({ where: { shop: SHOP }, orderBy: { shopifyOrderId: "asc" } });
    expect(orders.map((o) => [o.customerId, o.customerEmail])).toEqual([
      ["6000001", null],
      ["6000002", null],
      [null, null],
    ]);
    const statuses = await db.delivery.groupBy({ by: ["status"], where: { shop: SHOP }, _count: true });
    expect(statuses).toEqual([{ status: "pending", _count: 9 }]);
  });
});

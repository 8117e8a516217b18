// Customer ids above 2^53, as Shopify writes them (bare JSON numbers): customers/redact and customers/data_request
// match the exact id, so the customer 9007199254740993 is scrubbed and reported, and the neighbour 9007199254740992
// (what JSON.parse makes of the first) is left alone. Orders come in through the real orders/paid route and the
// compliance webhooks through theirs, with Shopify's signature over the raw bytes, on both databases.
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { action as dataRequest } from "../../app/routes/webhooks.customers.data_request.tsx";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact.tsx";
import { action as paid } from "../../app/routes/webhooks.orders.paid.tsx";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { attributedOrder, DEMO_SETTINGS } from "../../devkit/orders/attributed-order.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";

const SHOP = "big-ids.myshopify.com";
const CUSTOMER = "9007199254740993";
/** What JSON.parse reads CUSTOMER as. */
const NEIGHBOUR = "9007199254740992";

/** A signed webhook whose body is exactly `raw`, the way Shopify sends 64-bit ids: bare numbers. */
function rawWebhook(topic: string, raw: string): Request {
  return new Request(`https://relay.test/webhooks/${topic}`, { method: "POST", headers: webhookHeaders({ topic, shop: SHOP, body: null }, raw), body: raw });
}

const call = async (action: (args: ActionFunctionArgs) => Promise<Response>, request: Request) =>
  (await action({ request, params: {}, context: {} } as ActionFunctionArgs)).status;

/** Order n of the customer `customerId`, as Shopify's orders/paid body, the customer's id a bare number. */
function paidBody(n: number, customerId: string, email: string): string {
  const order = attributedOrder(n);
  const text = JSON.stringify({ ...order, email, customer: { id: 0, first_name: "Ada", last_name: `Number${n}`, email } });
  return text.replace(`"customer":{"id":0,`, `"customer":{"id":${customerId},`);
}

describe.each(databaseKinds)("customer ids beyond 2^53 on %s", (kind) => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
    await saveSettingsFile(db, SHOP, DEMO_SETTINGS);
    expect(await call(paid, rawWebhook("orders/paid", paidBody(1, CUSTOMER, "target@example.com")))).toBe(200);
    expect(await call(paid, rawWebhook("orders/paid", paidBody(2, NEIGHBOUR, "neighbour@example.com")))).toBe(200);
    // JSON.parse cannot tell the two apart: the test would prove nothing if it could.
    expect(JSON.parse(CUSTOMER)).toBe(JSON.parse(NEIGHBOUR));
  });
  afterAll(async () => {
    setDb(undefined);
    if (db) {
      await closeDriver(db);
      await db.$disconnect();
    }
  });

  const orderOf = (n: number) => db.order.findFirstOrThrow({ where: { shop: SHOP, shopifyOrderId: String(attributedOrder(n).id) } });

  it("stores each order under its customer's exact id", async () => {
    expect((await orderOf(1)).customerId).toBe(CUSTOMER);
    expect((await orderOf(2)).customerId).toBe(NEIGHBOUR);
  });

  it("customers/data_request reports the customer's order and not the neighbour's", async () => {
    const raw = `{"shop_id":1,"shop_domain":"${SHOP}","customer":{"id":${CUSTOMER},"email":null,"phone":null},"orders_requested":[],"data_request":{"id":9}}`;
    expect(await call(dataRequest, rawWebhook("customers/data_request", raw))).toBe(200);
    const recorded = await db.dataRequest.findFirstOrThrow({ where: { shop: SHOP } });
    expect(recorded.customerId).toBe(CUSTOMER);
    const report = JSON.parse(recorded.report) as { customerId: string; orders: Array<{ orderId: string }> };
    expect(report.customerId).toBe(CUSTOMER);
    expect(report.orders.map((o) => o.orderId)).toEqual([String(attributedOrder(1).id)]);
  });

  it("refuses a body whose signature does not match, with the exact parse in place", async () => {
    const raw = `{"shop_id":1,"shop_domain":"${SHOP}","customer":{"id":${CUSTOMER}},"orders_to_redact":[]}`;
    const forged = new Request(`https://relay.test/webhooks/customers/redact`, {
      method: "POST",
      headers: webhookHeaders({ topic: "customers/redact", shop: SHOP, body: null }, raw.replace(CUSTOMER, NEIGHBOUR)),
      body: raw,
    });
    const status = await call(customersRedact, forged).catch((thrown: unknown) => (thrown instanceof Response ? thrown.status : Promise.reject(thrown)));
    expect(status).toBe(401);
    expect((await orderOf(1)).redactedAt).toBeNull();
    expect((await orderOf(2)).redactedAt).toBeNull();
  });

  it("customers/redact scrubs the customer's order and leaves the neighbour's as it was", async () => {
    const neighbourBefore = await orderOf(2);
    const raw = `{"shop_id":1,"shop_domain":"${SHOP}","customer":{"id":${CUSTOMER},"email":null,"phone":null},"orders_to_redact":[]}`;
    expect(await call(customersRedact, rawWebhook("customers/redact", raw))).toBe(200);

    const target = await orderOf(1);
    expect(target.redactedAt).not.toBeNull();
    expect(target.customerId).toBeNull();
    expect(target.customerEmail).toBeNull();
    expect(target.payload).not.toContain("target@example.com");
    expect(target.payload).not.toContain("Number1");
    // The customer's data request goes with the customer.
    expect(await db.dataRequest.count({ where: { shop: SHOP, customerId: CUSTOMER } })).toBe(0);

    const neighbour = await orderOf(2);
    expect(neighbour).toEqual(neighbourBefore);
    expect(neighbour.payload).toContain("neighbour@example.com");
  });
});

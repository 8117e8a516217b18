// The uninstall and privacy webhooks, through their real Remix route actions with Shopify-signed requests.
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { action as dataRequest } from "../../app/routes/webhooks.customers.data_request.tsx";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact.tsx";
import { action as shopRedact } from "../../app/routes/webhooks.shop.redact.tsx";
import { action as uninstalled } from "../../app/routes/webhooks.app.uninstalled.tsx";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { signedWebhookRequest } from "../../devkit/shopify-webhook.ts";

const SHOP = "privacy-test.myshopify.com";
const OTHER = "other-shop.myshopify.com";

type Action = (args: ActionFunctionArgs) => Promise<Response>;

async function call(route: Action, request: Request): Promise<number> {
  try {
    return (await route({ request, params: {}, context: {} })).status;
  } catch (thrown) {
    // authenticate.webhook throws a Response (401) for a bad signature, as Remix expects.
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

function orderPayload(id: string, customer: Record<string, string> | null) {
  return JSON.stringify({ id, name: `#${id}`, customer, lines: [{ sku: "SKU-1", title: "Roe deer print", quantity: 1 }] });
}

async function seed(db: Db, shop: string) {
  await db.shop.create({ data: { domain: shop } });
  await db.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_secret", isOnline: false } });
  await db.networkConnection.create({ data: { shop, network: "refersion", enabled: true } });
  const jane = await db.order.create({
    data: {
      shop,
      shopifyOrderId: "1001",
      name: "#1001",
      customerId: "77",
      customerEmail: "jane@example.com",
      payload: orderPayload("1001", { id: "77", firstName: "Jane", lastName: "Roe", email: "jane@example.com", ipAddress: "203.0.113.9" }),
    },
  });
  await db.order.create({
    data: {
      shop,
      shopifyOrderId: "1002",
      name: "#1002",
      customerId: "88",
      customerEmail: "max@example.com",
      payload: orderPayload("1002", { id: "88", firstName: "Max", lastName: "Poe", email: "max@example.com", ipAddress: "198.51.100.4" }),
    },
  });
  const delivery = await db.delivery.create({
    data: { shop, orderId: jane.id, network: "refersion", kind: "conversion", status: "succeeded", lastError: "400: customer.email jane@example.com is invalid" },
  });
  await db.delivery.create({ data: { shop, orderId: jane.id, network: "retrack", kind: "conversion", status: "pending" } });
  await db.deliveryAttempt.create({
    data: {
      deliveryId: delivery.id,
      shop,
      durationMs: 12,
      outcome: "success",
      httpStatus: 200,
      request: JSON.stringify({
        method: "POST",
        url: "https://inbound-webhooks.refersion.com/tracker/orders/paid",
        headers: { "Refersion-Secret-Key": "[redacted]" },
        body: { order_id: "1001", customer: { first_name: "Jane", email: "jane@example.com" }, note: "for jane@example.com" },
      }),
      responseExcerpt: '{"ok":true,"email":"JANE@example.com","message":"Thanks, Jane Roe!"}',
      error: "rejected Jane@Example.com",
    },
  });
}

async function rowCounts(db: Db) {
  return {
    shops: await db.shop.count(),
    sessions: await db.session.count(),
    orders: await db.order.count(),
    deliveries: await db.delivery.count(),
    attempts: await db.deliveryAttempt.count(),
    connections: await db.networkConnection.count(),
    dataRequests: await db.dataRequest.count(),
  };
}

describe.each(databaseKinds)("compliance webhooks on %s", (kind) => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
  });
  afterAll(async () => {
    setDb(undefined);
    await db.$disconnect();
  });
  beforeEach(async () => {
    setDb(db);
    for (const table of ["deliveryAttempt", "delivery", "order", "networkConnection", "shop", "session", "dataRequest", "webhookReceipt"] as const) {
      await (db[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
    }
    await seed(db, SHOP);
    await seed(db, OTHER);
  });

  it("rejects a bad signature with 401 and writes nothing", async () => {
    const before = await rowCounts(db);
    for (const [route, topic] of [
      [shopRedact, "shop/redact"],
      [customersRedact, "customers/redact"],
      [dataRequest, "customers/data_request"],
      [uninstalled, "app/uninstalled"],
    ] as const) {
      const request = signedWebhookRequest({
        topic,
        shop: SHOP,
        body: { shop_domain: SHOP, customer: { id: 77, email: "jane@example.com" }, orders_to_redact: [1001] },
        secret: "not-the-app-secret",
      });
      expect(await call(route, request), topic).toBe(401);
    }
    expect(await rowCounts(db)).toEqual(before);
    const jane = await db.order.findFirstOrThrow({ where: { shop: SHOP, shopifyOrderId: "1001" } });
    expect(jane.payload).toContain("jane@example.com");
  });

  it("answers 400 to a signed webhook of another topic than the route's, and changes nothing", async () => {
    const before = await rowCounts(db);
    const body = { shop_id: 1, shop_domain: SHOP, domain: SHOP, customer: { id: 77, email: "jane@example.com" }, orders_to_redact: [1001], orders_requested: [1001] };
    const routes = [
      [shopRedact, "shop/redact"],
      [customersRedact, "customers/redact"],
      [dataRequest, "customers/data_request"],
      [uninstalled, "app/uninstalled"],
    ] as const;
    for (const [route, topic] of routes) {
      for (const other of [...routes.map(([, t]) => t), "orders/paid"].filter((t) => t !== topic)) {
        expect(await call(route, signedWebhookRequest({ topic: other, shop: SHOP, body })), `${other} posted to ${topic}`).toBe(400);
      }
    }
    expect(await rowCounts(db)).toEqual(before);
    expect((await db.order.findFirstOrThrow({ where: { shop: SHOP, shopifyOrderId: "1001" } })).payload).toContain("jane@example.com");
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).uninstalledAt).toBeNull();
    expect(await db.delivery.count({ where: { shop: SHOP, status: "pending" } })).toBe(1);
  });

  it("app/uninstalled removes sessions and stops pending deliveries, keeping history", async () => {
    const status = await call(uninstalled, signedWebhookRequest({ topic: "app/uninstalled", shop: SHOP, body: { domain: SHOP } }));
    expect(status).toBe(200);
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(await db.session.count({ where: { shop: OTHER } })).toBe(1);
    const deliveries = await db.delivery.findMany({ where: { shop: SHOP }, orderBy: { network: "asc" } });
    expect(deliveries.map((d) => [d.network, d.status])).toEqual([
      ["refersion", "succeeded"],
      ["retrack", "stopped"],
    ]);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).uninstalledAt).not.toBeNull();
    expect(await db.delivery.count({ where: { shop: OTHER, status: "pending" } })).toBe(1);
  });

  it("acts on the shop's own rows when its header has capitals (Shopify's library accepts them)", async () => {
    const status = await call(uninstalled, signedWebhookRequest({ topic: "app/uninstalled", shop: "Privacy-Test.myshopify.com", body: { domain: SHOP } }));
    expect(status).toBe(200);
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).uninstalledAt).not.toBeNull();
    expect(await call(shopRedact, signedWebhookRequest({ topic: "shop/redact", shop: "PRIVACY-TEST.myshopify.com", body: { shop_id: 1, shop_domain: SHOP } }))).toBe(200);
    expect(await db.order.count({ where: { shop: SHOP } })).toBe(0);
    expect(await db.order.count({ where: { shop: OTHER } })).toBe(2);
  });

  it("shop/redact deletes every row of that shop and nothing of another", async () => {
    const other = await rowCounts(db);
    const status = await call(shopRedact, signedWebhookRequest({ topic: "shop/redact", shop: SHOP, body: { shop_id: 1, shop_domain: SHOP } }));
    expect(status).toBe(200);
    for (const table of ["shop", "order", "delivery", "deliveryAttempt", "networkConnection", "session", "dataRequest"] as const) {
      const where = table === "shop" ? { domain: SHOP } : { shop: SHOP };
      expect(await (db[table] as unknown as { count(a: object): Promise<number> }).count({ where }), table).toBe(0);
    }
    const after = await rowCounts(db);
    expect(after.orders).toBe(other.orders / 2);
    expect(after.attempts).toBe(other.attempts / 2);
  });

  it("customers/redact scrubs the customer from orders and logged requests, leaving others intact", async () => {
    const status = await call(
      customersRedact,
      signedWebhookRequest({
        topic: "customers/redact",
        shop: SHOP,
        body: { shop_id: 1, shop_domain: SHOP, customer: { id: 77, email: "jane@example.com", phone: null }, orders_to_redact: [1001] },
      }),
    );
    expect(status).toBe(200);
    const jane = await db.order.findFirstOrThrow({ where: { shop: SHOP, shopifyOrderId: "1001" } });
    expect(jane.customerEmail).toBeNull();
    expect(jane.customerId).toBeNull();
    expect(jane.redactedAt).not.toBeNull();
    expect(jane.payload).not.toMatch(/jane|"Roe"|203\.0\.113\.9/i);
    // A name inside other text (a product title here) is not the customer's data and stays.
    expect(JSON.parse(jane.payload).lines).toEqual([{ sku: "SKU-1", title: "Roe deer print", quantity: 1 }]);
    const attempt = await db.deliveryAttempt.findFirstOrThrow({ where: { shop: SHOP } });
    expect(`${attempt.request} ${attempt.responseExcerpt} ${attempt.error}`).not.toMatch(/jane|\broe\b/i);
    expect(attempt.responseExcerpt).toBe('{"ok":true,"email":"[redacted]","message":"Thanks, [redacted] [redacted]!"}');
    expect(attempt.error).toBe("rejected [redacted]");
    const delivery = await db.delivery.findFirstOrThrow({ where: { shop: SHOP, network: "refersion" } });
    expect(delivery.lastError).toBe("400: customer.email [redacted] is invalid");
    expect(JSON.parse(attempt.request!).body.order_id).toBe("1001");
    const max = await db.order.findFirstOrThrow({ where: { shop: SHOP, shopifyOrderId: "1002" } });
    expect(max.payload).toContain("max@example.com");
    const otherJane = await db.order.findFirstOrThrow({ where: { shop: OTHER, shopifyOrderId: "1001" } });
    expect(otherJane.payload).toContain("jane@example.com");
  });

  it("customers/data_request records what is held and where it was sent", async () => {
    const status = await call(
      dataRequest,
      signedWebhookRequest({
        topic: "customers/data_request",
        shop: SHOP,
        body: { shop_id: 1, shop_domain: SHOP, customer: { id: 77, email: "jane@example.com" }, orders_requested: [1001], data_request: { id: 9 } },
      }),
    );
    expect(status).toBe(200);
    const recorded = await db.dataRequest.findFirstOrThrow({ where: { shop: SHOP } });
    const report = JSON.parse(recorded.report);
    expect(report.orders).toEqual([
      { orderId: "1001", name: "#1001", customerFieldsHeld: ["id", "firstName", "lastName", "email", "ipAddress"], sentTo: ["refersion"] },
    ]);
    expect(await db.dataRequest.count({ where: { shop: OTHER } })).toBe(0);
  });
});

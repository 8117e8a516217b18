// The order routes' signature check must reach the same verdict as Shopify's own library (authenticate.webhook,
// as configured in app/shopify.server.ts) on genuine, forged, tampered and incomplete requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { MAX_WEBHOOK_BYTES, verifyShopifyWebhook } from "../../app/pipeline/webhook-verify.server.ts";
import { authenticate } from "../../app/shopify.server.ts";
import { createTestDb } from "../support/databases.ts";
import { signedWebhookRequest } from "../support/shopify-webhook.ts";
import { attributedOrder } from "./support/orders.ts";

const SHOP = "verify.myshopify.com";

async function verdict(check: (request: Request) => Promise<unknown>, request: Request): Promise<number> {
  try {
    await check(request);
    return 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

function cases(): Array<[string, () => Request]> {
  const body = attributedOrder(1);
  const genuine = () => signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body, eventId: "e1" });
  const rebuilt = (from: Request, change: (headers: Headers) => void, text?: string) => {
    const headers = new Headers(from.headers);
    change(headers);
    return new Request(from.url, { method: "POST", headers, body: text ?? JSON.stringify(body) });
  };
  return [
    ["genuine", genuine],
    ["signed with another secret", () => signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body, secret: "someone-else" })],
    ["body changed after signing", () => rebuilt(genuine(), () => {}, JSON.stringify({ ...body, name: "#9999" }))],
    ["no signature", () => rebuilt(genuine(), (h) => h.delete("X-Shopify-Hmac-Sha256"))],
    ["signature not base64 of the digest", () => rebuilt(genuine(), (h) => h.set("X-Shopify-Hmac-Sha256", "bm90LWEtZGlnZXN0"))],
    ["no topic", () => rebuilt(genuine(), (h) => h.delete("X-Shopify-Topic"))],
    ["no shop", () => rebuilt(genuine(), (h) => h.delete("X-Shopify-Shop-Domain"))],
  ];
}

describe("order webhook signature check", () => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await createTestDb("sqlite"));
    setDb(db); // authenticate.webhook looks up the shop's session
  });
  afterAll(async () => {
    setDb(undefined);
    await db.$disconnect();
  });

  it.each(cases())("agrees with Shopify's library on a request %s", async (_name, make) => {
    const ours = await verdict(verifyShopifyWebhook, make());
    const shopifys = await verdict((request) => authenticate.webhook(request), make());
    expect(ours).toBe(shopifys);
  });

  it("hands over the shop, topic, event id and parsed payload of a genuine request", async () => {
    const request = signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body: { id: 1 }, eventId: "evt-42" });
    request.headers.set("X-Shopify-Triggered-At", "2026-11-27T10:00:00.000Z");
    expect(await verifyShopifyWebhook(request)).toEqual({
      shop: SHOP,
      topic: "orders/paid",
      eventId: "evt-42",
      triggeredAt: new Date("2026-11-27T10:00:00.000Z"),
      payload: { id: 1 },
    });
  });

  it("refuses an oversized body with 413 before reading it whole, declared or streamed", async () => {
    const headers = { "X-Shopify-Hmac-Sha256": "x", "X-Shopify-Shop-Domain": SHOP, "X-Shopify-Topic": "orders/paid", "X-Shopify-Event-Id": "big" };
    const declared = new Request("https://relay.test/webhooks/orders/paid", {
      method: "POST",
      headers: { ...headers, "Content-Length": String(MAX_WEBHOOK_BYTES + 1) },
      body: "{}",
    });
    expect(await verdict(verifyShopifyWebhook, declared)).toBe(413);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1024 * 1024;
        controller.enqueue(new Uint8Array(1024 * 1024));
      },
    });
    const streamed = new Request("https://relay.test/webhooks/orders/paid", { method: "POST", headers, body: endless, duplex: "half" } as RequestInit);
    expect(await verdict(verifyShopifyWebhook, streamed)).toBe(413);
    expect(pulled).toBeLessThanOrEqual(MAX_WEBHOOK_BYTES + 2 * 1024 * 1024);
  });
});

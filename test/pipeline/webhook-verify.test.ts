// The order routes' signature check must reach the same verdict as Shopify's own library (authenticate.webhook,
// as configured in app/shopify.server.ts) on genuine, forged, tampered and incomplete requests.
import { createHmac } from "node:crypto";
import { InvalidShopError } from "@shopify/shopify-api";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { MAX_WEBHOOK_BYTES, verifyShopifyWebhook } from "../../app/pipeline/webhook-verify.server.ts";
import { authenticate } from "../../app/shopify.server.ts";
import { createTestDb } from "../support/databases.ts";
import { signedWebhookRequest, TEST_API_SECRET } from "../../devkit/shopify-webhook.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";

const SHOP = "verify.myshopify.com";

/**
 * A request's verdict: its status, or the name of what the library throws instead of a Response. Remix answers such
 * a throw with 500; Shopify's library throws InvalidShopError for a shop header it cannot use and SyntaxError for a
 * body that is not JSON. Both are refusals, which our check gives as 400.
 */
async function verdict(check: (request: Request) => Promise<unknown>, request: Request): Promise<number | string> {
  try {
    await check(request);
    return 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    if (thrown instanceof InvalidShopError) return "InvalidShopError";
    if (thrown instanceof SyntaxError) return "SyntaxError";
    throw thrown;
  }
}

const hmacOf = (raw: Buffer | string, secret = TEST_API_SECRET) => createHmac("sha256", secret).update(raw).digest("base64");

/** A body whose signature has both "+" and "/" in it, so that base64url spells it differently. */
function bodyWithUrlUnsafeSignature() {
  for (let n = 0; ; n++) {
    const body = { ...attributedOrder(1), note: `variant ${n}` };
    const hmac = hmacOf(JSON.stringify(body));
    if (hmac.includes("+") && hmac.includes("/")) return body;
  }
}

/** Shopify's newer "events" deliveries carry the same facts under Shopify-* header names. */
const EVENTS_HEADERS: Record<string, string> = {
  "X-Shopify-Hmac-Sha256": "Shopify-Hmac-Sha256",
  "X-Shopify-Topic": "Shopify-Topic",
  "X-Shopify-Shop-Domain": "Shopify-Shop-Domain",
  "X-Shopify-API-Version": "Shopify-Api-Version",
  "X-Shopify-Webhook-Id": "Shopify-Webhook-Id",
  "X-Shopify-Triggered-At": "Shopify-Triggered-At",
};

function cases(): Array<[string, () => Request]> {
  const body = bodyWithUrlUnsafeSignature();
  const json = JSON.stringify(body);
  const genuine = () => signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body, eventId: "e1" });
  const rebuilt = (from: Request, change: (headers: Headers) => void, raw: string | Buffer = json) => {
    const headers = new Headers(from.headers);
    change(headers);
    return new Request(from.url, { method: "POST", headers, body: typeof raw === "string" ? raw : new Uint8Array(raw) });
  };
  const hmac = hmacOf(json);
  const withSignature = (value: string) => () => rebuilt(genuine(), (h) => h.set("X-Shopify-Hmac-Sha256", value));
  const withShop = (value: string) => () => rebuilt(genuine(), (h) => h.set("X-Shopify-Shop-Domain", value));
  /** `raw` as the body, signed over `signed` (the same bytes unless given). */
  const withBody = (raw: Buffer, signed: Buffer = raw) => () => rebuilt(genuine(), (h) => h.set("X-Shopify-Hmac-Sha256", hmacOf(signed)), raw);
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const invalidUtf8 = Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from(',"note_2":"'), Buffer.from([0xff, 0xc3]), Buffer.from('"}')]);
  const asEvents = (from: Request) =>
    rebuilt(from, (h) => {
      for (const [webhooks, events] of Object.entries(EVENTS_HEADERS)) {
        const value = h.get(webhooks);
        h.delete(webhooks);
        if (value !== null) h.set(events, value);
      }
      h.delete("X-Shopify-Event-Id");
    });
  return [
    ["genuine", genuine],
    ["signed with another secret", () => signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body, secret: "someone-else" })],
    ["body changed after signing", () => rebuilt(genuine(), () => {}, JSON.stringify({ ...body, name: "#9999" }))],
    ["sent with GET", () => new Request(genuine().url, { method: "GET", headers: genuine().headers })],
    ["no signature", () => rebuilt(genuine(), (h) => h.delete("X-Shopify-Hmac-Sha256"))],
    ["signature not base64 of the digest", withSignature("bm90LWEtZGlnZXN0")],
    ["signature with trailing junk", withSignature(`${hmac}junk`)],
    ["signature with an extra padding character", withSignature(`${hmac}=`)],
    ["signature with a space inserted", withSignature(`${hmac.slice(0, 10)} ${hmac.slice(10)}`)],
    ["signature without its padding", withSignature(hmac.replace(/=+$/, ""))],
    ["signature in base64url", withSignature(hmac.replace(/\+/g, "-").replace(/\//g, "_"))],
    ["signature in base64url without padding", withSignature(hmac.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""))],
    ["signature in hex", withSignature(createHmac("sha256", TEST_API_SECRET).update(json).digest("hex"))],
    ["signature sent twice", () => rebuilt(genuine(), (h) => h.append("X-Shopify-Hmac-Sha256", hmac))],
    ["no topic", () => rebuilt(genuine(), (h) => h.delete("X-Shopify-Topic"))],
    ["no topic and a forged signature", () => rebuilt(genuine(), (h) => (h.delete("X-Shopify-Topic"), h.set("X-Shopify-Hmac-Sha256", hmacOf(json, "x"))))],
    ["no shop", () => rebuilt(genuine(), (h) => h.delete("X-Shopify-Shop-Domain"))],
    ["no API version", () => rebuilt(genuine(), (h) => h.delete("X-Shopify-API-Version"))],
    ["no webhook id", () => rebuilt(genuine(), (h) => h.delete("X-Shopify-Webhook-Id"))],
    ["no event id", () => rebuilt(genuine(), (h) => h.delete("X-Shopify-Event-Id"))],
    ["an empty body, unsigned", () => rebuilt(genuine(), () => {}, Buffer.alloc(0))],
    ["an empty body, signed", withBody(Buffer.alloc(0))],
    ["a signed body that is not JSON", withBody(Buffer.from("not json"))],
    ["a body after a byte order mark, signed with it", withBody(Buffer.concat([bom, Buffer.from(json)]))],
    ["a body after a byte order mark, signed without it", withBody(Buffer.concat([bom, Buffer.from(json)]), Buffer.from(json))],
    ["a body that is not valid UTF-8, signed as sent", withBody(invalidUtf8)],
    ["a body that is not valid UTF-8, signed as decoded", withBody(invalidUtf8, Buffer.from(invalidUtf8.toString("utf8")))],
    ["shop with upper-case letters", withShop("Verify.myshopify.com")],
    ["shop with an underscore", withShop("verify_shop.myshopify.com")],
    ["shop with a trailing slash", withShop(`${SHOP}/`)],
    ["shop as an admin URL", withShop("admin.shopify.com/store/verify")],
    ["shop on shopify.com", withShop("verify.shopify.com")],
    ["shop on myshopify.io", withShop("verify.myshopify.io")],
    ["shop on shop.dev", withShop("verify.shop.dev")],
    ["shop with an upper-case domain", withShop("verify.MYSHOPIFY.COM")],
    ["shop on another domain", withShop("verify.example.com")],
    ["shop with a subdomain", withShop("a.verify.myshopify.com")],
    ["shop starting with a hyphen", withShop("-verify.myshopify.com")],
    ["shop with a scheme", withShop(`https://${SHOP}`)],
    ["shop with a port", withShop(`${SHOP}:443`)],
    ["events headers", () => asEvents(genuine())],
    ["events headers with a forged signature", () => asEvents(withSignature(hmacOf(json, "x"))())],
    ["events headers without a webhook id", () => rebuilt(asEvents(genuine()), (h) => h.delete("Shopify-Webhook-Id"))],
    ["events signature beside a genuine webhooks signature", () => rebuilt(genuine(), (h) => h.set("Shopify-Hmac-Sha256", hmacOf(json, "x")))],
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
    expect(ours).toBe(typeof shopifys === "string" ? 400 : shopifys);
  });

  it("agrees with Shopify's library on generated shop headers and signature spellings", async () => {
    const json = JSON.stringify({ id: 1 });
    const hmac = hmacOf(json);
    const shopHeader = fc
      .array(
        fc.constantFrom("verify", "V", "0", "_", "-", ".", "/", "//", "admin.", "store/", "myshopify.com", "shopify.com", "myshopify.io", "shop.dev", "spin.dev", "example.com", "MyShopify.com", "https://", ":443", " ", "%2F", "é"),
        { minLength: 1, maxLength: 7 },
      )
      .map((parts) => parts.join(""));
    const signature = fc.oneof(
      fc.constant(hmac),
      fc.tuple(fc.integer({ min: 0, max: hmac.length }), fc.constantFrom(" ", "=", "\t", "A", "-", "_", "+", "/", "%")).map(([at, inserted]) => hmac.slice(0, at) + inserted + hmac.slice(at)),
      fc.integer({ min: 0, max: hmac.length - 1 }).map((at) => hmac.slice(0, at) + hmac.slice(at + 1)),
    );
    await fc.assert(
      fc.asyncProperty(shopHeader, signature, async (shop, hmacHeader) => {
        const make = () => {
          const request = signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body: { id: 1 } });
          request.headers.set("X-Shopify-Shop-Domain", shop);
          request.headers.set("X-Shopify-Hmac-Sha256", hmacHeader);
          return request;
        };
        const shopifys = await verdict((request) => authenticate.webhook(request), make());
        expect(await verdict(verifyShopifyWebhook, make()), `${JSON.stringify(shop)} ${JSON.stringify(hmacHeader)}`).toBe(typeof shopifys === "string" ? 400 : shopifys);
      }),
      { numRuns: 300 },
    );
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

  it("hands over the shop in lower case, an admin URL as the shop's domain, and an events delivery's webhook id as its event id", async () => {
    const request = (shop: string) => signedWebhookRequest({ topic: "orders/paid", shop, body: { id: 1 }, eventId: "evt-43" });
    expect((await verifyShopifyWebhook(request("Verify_Shop.myshopify.com//"))).shop).toBe("verify_shop.myshopify.com");
    expect((await verifyShopifyWebhook(request("admin.shopify.com/store/Verify"))).shop).toBe("verify.myshopify.com");
    expect((await verifyShopifyWebhook(request("admin.shop.dev/store/verify"))).shop).toBe("verify.shop.dev");
    const classic = request(SHOP);
    const headers = new Headers();
    for (const [name, value] of classic.headers) {
      const events = Object.entries(EVENTS_HEADERS).find(([webhooks]) => webhooks.toLowerCase() === name)?.[1];
      if (events) headers.set(events, value);
    }
    const events = await verifyShopifyWebhook(new Request(classic.url, { method: "POST", headers, body: JSON.stringify({ id: 1 }) }));
    expect(events).toMatchObject({ shop: SHOP, topic: "orders/paid", eventId: classic.headers.get("X-Shopify-Webhook-Id"), payload: { id: 1 } });
    expect(events.triggeredAt).toEqual(new Date(classic.headers.get("X-Shopify-Triggered-At")!));
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

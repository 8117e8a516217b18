// Verifying an order webhook: Shopify's HMAC-SHA256 of the raw body with the app's secret, base64, compared in
// constant time; the same check as shopify-api's webhooks.validate (test/pipeline/webhook-verify.test.ts holds the
// two to the same verdicts), answered the same way: 401 for a bad signature, 400 for missing headers.
//
// Why not authenticate.webhook here: measured on the 2-core target, its validate step alone costs ~2.9 ms of CPU
// per webhook (Web Crypto and header canonicalization), then it loads the shop's offline session through Prisma
// and, with expiring offline tokens, may refresh the token over the network inside the request. The order routes
// need none of that (they never call Shopify), and at 700 webhooks/s it is most of the budget.
import { createHmac, timingSafeEqual } from "node:crypto";
import { parseJsonKeepingBigIntegers } from "../orders/shopify-json.ts";

export interface VerifiedWebhook {
  shop: string;
  topic: string;
  /** X-Shopify-Event-Id (the same for every retry of one event); the webhook id where Shopify sends no event id. */
  eventId: string;
  triggeredAt: Date | null;
  payload: unknown;
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

function secret(): string {
  const value = process.env.SHOPIFY_API_SECRET;
  if (!value) throw new Error("SHOPIFY_API_SECRET is not set (see README.md, Configuration)");
  return value;
}

const reject = (status: 400 | 401 | 405 | 413, statusText: string) => new Response(undefined, { status, statusText });

/**
 * The body is read before its signature can be checked, so an unsigned request must not be able to make the
 * process hold an unbounded body. Shopify's largest order payloads are far below this.
 */
export const MAX_WEBHOOK_BYTES = 10 * 1024 * 1024;

async function readBody(request: Request, max: number): Promise<Buffer> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > max) throw reject(413, "Payload Too Large");
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw reject(413, "Payload Too Large");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Throws a Response (as Remix expects) for anything that is not a genuine Shopify webhook. */
export async function verifyShopifyWebhook(request: Request): Promise<VerifiedWebhook> {
  if (request.method !== "POST") throw reject(405, "Method not allowed");
  const raw = await readBody(request, MAX_WEBHOOK_BYTES);
  const hmac = request.headers.get("X-Shopify-Hmac-Sha256");
  const shop = request.headers.get("X-Shopify-Shop-Domain") ?? "";
  const topic = request.headers.get("X-Shopify-Topic") ?? "";
  const eventId = request.headers.get("X-Shopify-Event-Id") ?? request.headers.get("X-Shopify-Webhook-Id") ?? "";
  // Like the library: a request without Shopify's headers is malformed (400) before it is unauthorized (401).
  if (!hmac || !shop || !topic || !eventId) throw reject(400, "Bad Request");
  const given = Buffer.from(hmac, "base64");
  const expected = createHmac("sha256", secret()).update(raw).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw reject(401, "Unauthorized");
  if (!SHOP_DOMAIN.test(shop)) throw reject(400, "Bad Request");
  let payload: unknown;
  try {
    payload = parseJsonKeepingBigIntegers(raw.toString("utf8"));
  } catch {
    throw reject(400, "Bad Request");
  }
  const triggered = request.headers.get("X-Shopify-Triggered-At");
  const triggeredAt = triggered && !Number.isNaN(Date.parse(triggered)) ? new Date(triggered) : null;
  return { shop, topic, eventId, triggeredAt, payload };
}

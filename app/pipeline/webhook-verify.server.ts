// Verifying an order webhook: Shopify's HMAC-SHA256 of the raw body with the app's secret, base64, compared in
// constant time; the same verdicts as shopify-api's webhooks.validate and authenticate.webhook, in their order
// (test/pipeline/webhook-verify.test.ts holds the two together): 405 for another method, 400 for an empty body or
// no signature, 401 for a signature that is not exactly the digest's base64, 400 for missing headers or a shop
// header the library would refuse.
//
// Why not authenticate.webhook here: measured on the 2-core target, its validate step alone costs ~2.9 ms of CPU
// per webhook (Web Crypto and header canonicalization), then it loads the shop's offline session through Prisma
// and, with expiring offline tokens, may refresh the token over the network inside the request. The order routes
// need none of that (they never call Shopify), and at 700 webhooks/s it is most of the budget.
import { isUtf8 } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { shopFromHeader } from "../shopify/shop-domain.ts";
import { parseJsonKeepingBigIntegers } from "../orders/shopify-json.ts";

export interface VerifiedWebhook {
  /** The shop's domain in lower case (app/shopify/shop-domain.ts). */
  shop: string;
  topic: string;
  /** X-Shopify-Event-Id (the same for every retry of one event); the webhook id where Shopify sends no event id. */
  eventId: string;
  triggeredAt: Date | null;
  payload: unknown;
}

/** Where each fact is: Shopify's classic webhook headers, or its newer "events" deliveries (shopify-api's WEBHOOK_HEADER_NAMES). */
const WEBHOOK_HEADERS = {
  hmac: "X-Shopify-Hmac-Sha256",
  topic: "X-Shopify-Topic",
  shop: "X-Shopify-Shop-Domain",
  apiVersion: "X-Shopify-API-Version",
  webhookId: "X-Shopify-Webhook-Id",
  eventId: "X-Shopify-Event-Id",
  triggeredAt: "X-Shopify-Triggered-At",
};
const EVENTS_HEADERS = {
  hmac: "Shopify-Hmac-Sha256",
  topic: "Shopify-Topic",
  shop: "Shopify-Shop-Domain",
  apiVersion: "Shopify-Api-Version",
  webhookId: "Shopify-Webhook-Id",
  eventId: null,
  triggeredAt: "Shopify-Triggered-At",
};

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

/**
 * The body as Shopify's library reads it (`request.text()`: a leading byte order mark dropped, invalid UTF-8
 * replaced by U+FFFD) and so signs it. What Shopify sends, UTF-8 without a mark, is kept as it is.
 */
function asLibraryReadsIt(body: Buffer): Buffer {
  const marked = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  return !marked && isUtf8(body) ? body : Buffer.from(new TextDecoder().decode(body));
}

/**
 * The library compares the header, as text, with the base64 of the digest: any other spelling of the same bytes
 * (no padding, base64url, spaces, anything after it) is a wrong signature, so the text is compared, not decoded.
 */
function signatureMatches(header: string, raw: Buffer): boolean {
  const expected = Buffer.from(createHmac("sha256", secret()).update(raw).digest("base64"));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Throws a Response (as Remix expects) for anything that is not a genuine Shopify webhook. */
export async function verifyShopifyWebhook(request: Request): Promise<VerifiedWebhook> {
  if (request.method !== "POST") throw reject(405, "Method not allowed");
  const raw = asLibraryReadsIt(await readBody(request, MAX_WEBHOOK_BYTES));
  const header = (name: string) => request.headers.get(name) ?? "";
  const names = header(EVENTS_HEADERS.hmac) ? EVENTS_HEADERS : WEBHOOK_HEADERS;
  // In the library's order: a body and a signature (400), the signature right (401), then the other headers (400).
  const hmac = header(names.hmac);
  if (!raw.length || !hmac) throw reject(400, "Bad Request");
  if (!signatureMatches(hmac, raw)) throw reject(401, "Unauthorized");
  const topic = header(names.topic);
  const shopHeader = header(names.shop);
  const webhookId = header(names.webhookId);
  if (!topic || !shopHeader || !header(names.apiVersion) || !webhookId) throw reject(400, "Bad Request");
  // Where the library throws (InvalidShopError, answered 500), a refusal Shopify's retries cannot change.
  const shop = shopFromHeader(shopHeader);
  if (!shop) throw reject(400, "Bad Request");
  let payload: unknown;
  try {
    payload = parseJsonKeepingBigIntegers(raw.toString("utf8"));
  } catch {
    throw reject(400, "Bad Request");
  }
  const eventId = (names.eventId && header(names.eventId)) || webhookId;
  const triggered = header(names.triggeredAt);
  const triggeredAt = triggered && !Number.isNaN(Date.parse(triggered)) ? new Date(triggered) : null;
  return { shop, topic, eventId, triggeredAt, payload };
}

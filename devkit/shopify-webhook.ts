// Builds webhook requests exactly as Shopify sends them: raw JSON body, base64 HMAC-SHA256 with the app's secret.
import { createHmac, randomUUID } from "node:crypto";
import { API_VERSION } from "../app/shopify/api-version.ts";

export const TEST_API_SECRET = "test-api-secret";

export interface WebhookOptions {
  topic: string;
  shop: string;
  body: unknown;
  /** The exact bytes to send, where they are text already (Shopify's documented samples); else JSON of body. */
  raw?: string;
  eventId?: string;
  webhookId?: string;
  secret?: string;
  url?: string;
}

export function webhookHeaders(options: Omit<WebhookOptions, "url" | "raw">, raw: string): Record<string, string> {
  const hmac = createHmac("sha256", options.secret ?? TEST_API_SECRET).update(raw, "utf8").digest("base64");
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": options.topic,
    "X-Shopify-Hmac-Sha256": hmac,
    "X-Shopify-Shop-Domain": options.shop,
    "X-Shopify-API-Version": API_VERSION,
    "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
  };
}

export function signedWebhookRequest(options: WebhookOptions): Request {
  const raw = options.raw ?? JSON.stringify(options.body);
  const url = options.url ?? `https://relay.test/webhooks/${options.topic}`;
  return new Request(url, { method: "POST", headers: webhookHeaders(options, raw), body: raw });
}

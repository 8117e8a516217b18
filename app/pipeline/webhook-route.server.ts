// The shared body of the order webhook routes: verify, ingest, answer. Shopify retries anything but a 2xx for
// up to 48 hours, so the status codes below are chosen for what a retry can achieve:
//   200  recorded, or a duplicate of an event already recorded (acknowledged, nothing changes)
//   401  bad HMAC (nothing written); 400 missing Shopify headers, or a topic that is not the route's
//   422  a signed payload this app cannot read as an order: nothing written. Retrying cannot help by itself,
//        but such a payload means this app has a defect (e.g. a currency it does not know); the failing
//        deliveries show up in Shopify's webhook metrics, and a fixed release still receives the retries.
//   503  a refund whose order is not recorded yet: a later retry finds it; or the database cannot be reached
//        (app/pipeline/webhook-outage.server.ts), with Retry-After and nothing written.
//   500  anything else thrown: a defect.
import { db } from "../db/client.server.ts";
import type { IngestOutcome, WebhookInput } from "./ingest.server.ts";
import { verifyShopifyWebhook } from "./webhook-verify.server.ts";
import type { Db } from "../db/client.server.ts";
import { requireTopic } from "../shopify/webhook-topic.ts";
import { fieldLogger } from "../observability/log.server.ts";
import { observeWebhook } from "../observability/webhook-observer.server.ts";
import { answerDatabaseOutage } from "./webhook-outage.server.ts";

const logger = fieldLogger("ingest");

type Ingest = (db: Db, input: WebhookInput) => Promise<IngestOutcome>;

/** `route` is the topic the route serves; a delivery of any other topic is refused with 400 before anything is written. */
export const handleOrderWebhook = (request: Request, route: string, ingest: Ingest): Promise<Response> =>
  observeWebhook(route, request, () => handle(request, route, ingest).catch(answerDatabaseOutage(route, request)));

async function handle(request: Request, route: string, ingest: Ingest): Promise<Response> {
  const { shop, topic, eventId, triggeredAt, payload } = await verifyShopifyWebhook(request);
  requireTopic(topic, route);
  const outcome = await ingest(db(), { shop, eventId, payload, triggeredAt });
  switch (outcome.kind) {
    case "recorded":
    case "duplicate":
      return new Response();
    case "invalid":
      logger.warn("webhook rejected: not a readable order", { shop, topic, event: eventId, reason: outcome.message });
      return text(422, outcome.message);
    case "order_unknown":
      logger.warn(outcome.message, { shop, topic, event: eventId });
      return outcome.retry ? text(503, outcome.message) : new Response();
  }
}

function text(status: number, message: string): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

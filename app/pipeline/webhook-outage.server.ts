// A webhook that arrives while the database cannot be reached is answered 503 Service Unavailable with
// Retry-After, not 500: Shopify retries either (for 48 hours), but its webhook metrics and an operator then see
// an outage rather than a defect, and 500 keeps meaning a bug. Nothing was written: ingestion is one transaction
// (app/pipeline/ingest.server.ts), so Shopify's retry after the database is back records the order once.
import { isDatabaseUnavailable } from "../db/database-unavailable.server.ts";
import { fieldLogger } from "../observability/log.server.ts";

const logger = fieldLogger("webhook");

/** Seconds suggested to whoever retries; Shopify keeps its own schedule. */
export const OUTAGE_RETRY_AFTER_SECONDS = 10;

/** The 503 for an unreachable database; any other error (and a thrown Response) goes on as it was. */
export function answerDatabaseOutage(topic: string, request: Request) {
  return (error: unknown): Response => {
    if (!isDatabaseUnavailable(error)) throw error;
    logger.error("database unavailable: webhook answered 503, Shopify will send it again", {
      topic,
      shop: request.headers.get("x-shopify-shop-domain")?.slice(0, 255).toLowerCase(),
      error: error instanceof Error ? error.message : String(error),
    });
    return new Response("the database is unavailable; send this webhook again later", {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": String(OUTAGE_RETRY_AFTER_SECONDS) },
    });
  };
}

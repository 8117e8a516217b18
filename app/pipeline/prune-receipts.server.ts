// Pruning webhook receipts. A receipt exists only to recognise Shopify's retries of one delivery
// (app/pipeline/outbox.server.ts); Shopify retries a webhook for 48 hours, so past that a receipt can never match
// again. Receipts are kept for a margin beyond it, then deleted by the worker's periodic job
// (app/pipeline/worker.server.ts). Even a delivery that came after its receipt was pruned could not make a second
// delivery: deliveries are unique per (shop, order, network, kind).
import type { Db } from "../db/client.server.ts";
import { driverFor, sql } from "./sql/driver.server.ts";

const DAY_MS = 24 * 3_600_000;
/** How long Shopify keeps retrying a webhook that was not acknowledged. */
export const SHOPIFY_RETRY_WINDOW_MS = 2 * DAY_MS;
export const DEFAULT_RECEIPT_RETENTION_DAYS = 7;
/** Rows per statement: one statement never holds SQLite's write lock (or a PostgreSQL transaction) for long. */
const DEFAULT_BATCH = 5_000;

/** WEBHOOK_RECEIPT_RETENTION_DAYS (default 7) in milliseconds; anything not above Shopify's retry window is refused. */
export function receiptRetentionMs(env: Record<string, string | undefined> = process.env): number {
  const text = env.WEBHOOK_RECEIPT_RETENTION_DAYS?.trim();
  if (!text) return DEFAULT_RECEIPT_RETENTION_DAYS * DAY_MS;
  const days = Number(text);
  if (!Number.isFinite(days) || days * DAY_MS <= SHOPIFY_RETRY_WINDOW_MS) {
    throw new Error(`WEBHOOK_RECEIPT_RETENTION_DAYS must be a number of days above 2 (Shopify retries a webhook for 48 hours), got "${text}"`);
  }
  return days * DAY_MS;
}

/** Deletes receipts received before now − retention, a batch per statement; returns how many went. */
export async function pruneWebhookReceipts(db: Db, options: { now: Date; retentionMs: number; batch?: number }): Promise<number> {
  const before = new Date(options.now.getTime() - options.retentionMs);
  const batch = Math.max(1, options.batch ?? DEFAULT_BATCH);
  const driver = driverFor(db);
  let total = 0;
  for (;;) {
    // Between batches the webhooks waiting for the database (and, on SQLite, for the event loop) go first.
    if (total) await new Promise((resolve) => setImmediate(resolve));
    const deleted = await driver.transaction(function* () {
      const result = yield sql`DELETE FROM "WebhookReceipt" WHERE ("shop", "topic", "eventId") IN (
        SELECT "shop", "topic", "eventId" FROM "WebhookReceipt" WHERE "receivedAt" < ${before} LIMIT ${batch})`;
      return result.changes;
    });
    total += deleted;
    if (deleted < batch) return total;
  }
}

// Pruning delivery attempts' bodies. The redacted request and the response excerpt of an attempt are there for
// the merchant to see why a delivery failed (app/routes/app.deliveries.$id.tsx) while it can still be retried or
// replayed; they are most of an attempt's size. Past a retention window they are nulled by the worker's periodic
// job (app/pipeline/worker.server.ts); the row stays, with its time, duration, HTTP status, outcome and error (the
// reason in the merchant's words), so the attempt log, the accuracy figures and /metrics are unchanged.
import type { Db } from "../db/client.server.ts";
import { DEFAULT_RETRY_POLICY } from "./retry-policy.ts";
import { SHOPIFY_RETRY_WINDOW_MS } from "./prune-receipts.server.ts";
import { driverFor } from "./sql/driver.server.ts";

const DAY_MS = 24 * 3_600_000;
/**
 * 30 days. A delivery retries for DEFAULT_RETRY_POLICY.windowMs (72 hours, app/pipeline/retry-policy.ts) after
 * Shopify's own 48 hours of webhook retries (app/pipeline/prune-receipts.server.ts), and a replay
 * (app/pipeline/replay.server.ts) starts a fresh 72-hour window of new attempts; 30 days leaves a merchant who
 * checks the app once a month the requests and answers of everything that failed since, well beyond those
 * windows and the 7 days webhook receipts are kept.
 */
export const DEFAULT_ATTEMPT_BODY_RETENTION_DAYS = 30;
/** Below this, a delivery still retrying could lose the bodies that explain its earlier attempts. */
const MIN_RETENTION_MS = Math.max(DEFAULT_RETRY_POLICY.windowMs, SHOPIFY_RETRY_WINDOW_MS);
/**
 * Attempts per statement. On SQLite a statement holds the write lock and, the driver being synchronous, this
 * process's event loop: 1,000 attempts took 22-30 ms on the 2-core machine (5,000: 120-166 ms, beyond the
 * webhooks' 100 ms p99 target). On PostgreSQL it locks only its own rows, so batches are larger.
 */
const DEFAULT_BATCH = { sqlite: 1_000, postgresql: 5_000 } as const;

/** ATTEMPT_BODY_RETENTION_DAYS (default 30) in days; anything not above the 72-hour retry window is refused. */
export function attemptBodyRetentionDays(env: Record<string, string | undefined> = process.env): number {
  const text = env.ATTEMPT_BODY_RETENTION_DAYS?.trim();
  if (!text) return DEFAULT_ATTEMPT_BODY_RETENTION_DAYS;
  const days = Number(text);
  if (!Number.isFinite(days) || days * DAY_MS <= MIN_RETENTION_MS) {
    const minimum = MIN_RETENTION_MS / DAY_MS;
    throw new Error(`ATTEMPT_BODY_RETENTION_DAYS must be a number of days above ${minimum} (a delivery retries for ${minimum * 24} hours), got "${text}"`);
  }
  return days;
}

export const attemptBodyRetentionMs = (env: Record<string, string | undefined> = process.env): number => attemptBodyRetentionDays(env) * DAY_MS;

/**
 * The next batch: attempts not pruned yet, started before the cutoff, in the (bodiesPrunedAt, startedAt) index's
 * own order, so that each batch starts at the oldest attempt not pruned yet and a run costs what it prunes, not
 * the table's whole history. The ORDER BY keeps PostgreSQL on that index even while its statistics still count
 * the attempts pruned since the last ANALYZE as unpruned (it would otherwise read the table from the start).
 */
export const PRUNE_CANDIDATES = `SELECT "id" FROM "DeliveryAttempt" WHERE "bodiesPrunedAt" IS NULL AND "startedAt" < ?
  ORDER BY "bodiesPrunedAt", "startedAt" LIMIT ?`;

/** Nulls the request and response excerpt of attempts started before now − retention, a batch per statement; returns how many. */
export async function pruneAttemptBodies(db: Db, options: { now: Date; retentionMs: number; batch?: number }): Promise<number> {
  const before = new Date(options.now.getTime() - options.retentionMs);
  const driver = driverFor(db);
  const batch = Math.max(1, options.batch ?? DEFAULT_BATCH[driver.kind]);
  let total = 0;
  for (;;) {
    // Between batches the webhooks waiting for the database (and, on SQLite, for the event loop) go first.
    if (total) await new Promise((resolve) => setImmediate(resolve));
    const pruned = await driver.transaction(function* () {
      const result = yield {
        sql: `UPDATE "DeliveryAttempt" SET "request" = NULL, "responseExcerpt" = NULL, "bodiesPrunedAt" = ? WHERE "id" IN (${PRUNE_CANDIDATES})`,
        params: [options.now, before, batch],
      };
      return result.changes;
    });
    total += pruned;
    if (pruned < batch) return total;
  }
}

// Settled days of the accuracy page (table AccuracyDay): a day's figures stop changing once its orders' conversions
// are all final and the day is over, so app/admin/accuracy.server.ts counts such a day once and reads it back
// afterwards. Only a few writes can change a settled day, and each marks the days it touches (invalidate*):
// replay (app/pipeline/replay.server.ts), backfill (app/pipeline/backfill.server.ts), orders/paid again for an order
// recorded as paid days ago (app/pipeline/ingest.server.ts: the first paidAt is kept) and customers/redact, which can
// reword a skip reason (app/compliance/customer-redact.server.ts). shop/redact deletes the shop's rows.
// Reconciliation needs no mark: it records only orders not recorded as paid, and those are paid now.
//
// A mark is a row with no figures and the time of the change. A page that began reading before a change could
// write what it read after the mark; so a page writes figures only over a mark older than its own start by
// MARK_GUARD_MS (a writer marks within that of committing its change), and a mark written after the page's
// figures overwrites them (both are upserts of the same key, which the databases serialise).
import { createHash } from "node:crypto";
import type { Db, DbKind } from "../db/client.server.ts";
import { driverFor, type Stmt } from "../pipeline/sql/driver.server.ts";
import type { AnyNetworkDefinition } from "../networks/registry.ts";
import { placeholders, timeCast, timeParam } from "./by-day.server.ts";

const DAY = 86_400_000;
/**
 * How long after its end a day can be settled. Orders are recorded with the time they arrive as paidAt
 * (app/pipeline/ingest.server.ts, reconciliation alike), so after midnight only transactions already under way and
 * servers' clock skew can still add to the day; the retry window needs no waiting of its own, since a delivery
 * still being retried is pending and keeps its day open.
 */
export const SETTLE_MARGIN_MS = 60 * 60_000;
export const MARK_GUARD_MS = 5 * 60_000;

/** Statuses that change no more without a replay: anything else (pending, in_flight, waiting, paused) keeps the day open. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(["succeeded", "failed", "stopped", "skipped"]);

/** One day's figures: what app/admin/accuracy.server.ts adds up over a window. */
export interface DayFigures {
  /** Paid orders. */
  orders: number;
  /** Paid orders that are not test orders (capture health counts only these). */
  realOrders: number;
  /** Conversions as [network, status, skip reason group or null, count]. */
  outcomes: Array<[string, string, string | null, number]>;
  /** Non-test orders by the networks whose click they carried, as [sorted comma-joined ids ("" for none), count]. */
  clicked: Array<[string, number]>;
}

/** Whether the day (YYYY-MM-DD) ended long enough ago to be settled, its conversions permitting. */
export function dayMaySettle(day: string, now: Date): boolean {
  return Date.parse(`${day}T00:00:00Z`) + DAY + SETTLE_MARGIN_MS <= now.getTime();
}

/**
 * The figures' meaning depends on the networks' labels (a skip "no <label> click" is no click): figures counted
 * under other labels are not read back.
 */
export function figuresVersion(definitions: readonly AnyNetworkDefinition[]): string {
  const labels = definitions.map((d) => `${d.id}=${d.label}`).sort().join("\n");
  return `1:${createHash("sha256").update(labels).digest("hex").slice(0, 12)}`;
}

/** The window's settled days of this shop that were counted under `version`. */
export async function readSettledDays(db: Db, shop: string, from: string, to: string, version: string): Promise<Map<string, DayFigures>> {
  const rows = await db.accuracyDay.findMany({ where: { shop, day: { gte: from, lte: to }, figures: { not: null } }, select: { day: true, figures: true } });
  const out = new Map<string, DayFigures>();
  for (const row of rows) {
    const stored = JSON.parse(row.figures!) as { v: string; f: DayFigures };
    if (stored.v === version) out.set(row.day, stored.f);
  }
  return out;
}

/** Stores settled days counted by a page that began reading at `readStartedAt`, except over a later mark. */
export async function writeSettledDays(db: Db, shop: string, days: Map<string, DayFigures>, version: string, readStartedAt: Date): Promise<void> {
  if (!days.size) return;
  const p = placeholders(db);
  const cast = timeCast(db);
  const at = timeParam(db, readStartedAt);
  const values: string[] = [];
  const params: unknown[] = [];
  for (const [day, figures] of days) {
    values.push(`(${p()}, ${p()}, ${p()}, NULL, ${p()}${cast})`);
    params.push(shop, day, JSON.stringify({ v: version, f: figures }), at);
  }
  await db.$executeRawUnsafe(
    `INSERT INTO "AccuracyDay" ("shop", "day", "figures", "invalidatedAt", "updatedAt") VALUES ${values.join(", ")}
     ON CONFLICT ("shop", "day") DO UPDATE SET "figures" = excluded."figures", "updatedAt" = excluded."updatedAt"
     WHERE "AccuracyDay"."invalidatedAt" IS NULL OR "AccuracyDay"."invalidatedAt" < ${p()}${cast}`,
    ...params,
    timeParam(db, new Date(readStartedAt.getTime() - MARK_GUARD_MS)),
  );
}

/**
 * Marks the paid days of the orders `from` selects (a FROM clause naming the orders `o`, with its WHERE), for the
 * SQL driver (app/pipeline/sql/driver.server.ts): one statement, so it can join a writer's transaction.
 */
export function markDaysStatement(kind: DbKind, from: string, params: unknown[], now: Date): Stmt {
  const cast = kind === "postgresql" ? "::timestamp(3)" : "";
  const day = kind === "postgresql" ? `to_char(o."paidAt", 'YYYY-MM-DD')` : `substr(o."paidAt", 1, 10)`;
  return {
    sql: `INSERT INTO "AccuracyDay" ("shop", "day", "figures", "invalidatedAt", "updatedAt")
      SELECT DISTINCT o."shop", ${day}, NULL, ?${cast}, ?${cast} FROM ${from} AND o."paidAt" IS NOT NULL
      ON CONFLICT ("shop", "day") DO UPDATE SET "figures" = NULL, "invalidatedAt" = excluded."invalidatedAt", "updatedAt" = excluded."updatedAt"`,
    params: [now, now, ...params],
  };
}

async function mark(db: Db, from: string, params: unknown[], now: Date): Promise<void> {
  const driver = driverFor(db);
  const stmt = markDaysStatement(driver.kind, from, params, now);
  await driver.transaction(function* () {
    yield stmt;
  });
}

/** Replay of one delivery: its order's day, if it can be replayed (failed or stopped). */
export const invalidateDeliveryDay = (db: Db, shop: string, deliveryId: string, now: Date) =>
  mark(db, `"Delivery" d JOIN "Order" o ON o."id" = d."orderId" WHERE d."shop" = ? AND d."id" = ? AND d."status" IN ('failed', 'stopped')`, [shop, deliveryId], now);

/** Replay of a network's failed deliveries: the days of their orders (read before they are queued again). */
export const invalidateFailedDays = (db: Db, shop: string, network: string, now: Date) =>
  mark(db, `"Delivery" d JOIN "Order" o ON o."id" = d."orderId" WHERE d."shop" = ? AND d."network" = ? AND d."status" = 'failed'`, [shop, network], now);

/** A backfill: every day of the orders paid since `since`. */
export const invalidateDaysSince = (db: Db, shop: string, since: Date, now: Date) => mark(db, `"Order" o WHERE o."shop" = ? AND o."paidAt" >= ?`, [shop, since], now);

/** An order recorded again: its paid day. */
export const invalidateOrderDay = (db: Db, shop: string, shopifyOrderId: string, now: Date) =>
  mark(db, `"Order" o WHERE o."shop" = ? AND o."shopifyOrderId" = ?`, [shop, shopifyOrderId], now);

/**
 * Whether recording this order again may change a settled day: only if it was created on a day that may be settled
 * (it cannot have been paid before it was created; the margin allows for Shopify's clock running ahead of ours). A
 * fresh order never is, so its webhook costs no statement more.
 */
export function mayTouchSettledDay(orderCreatedAt: string, now: Date): boolean {
  const created = Date.parse(orderCreatedAt);
  if (Number.isNaN(created)) return true;
  return dayMaySettle(new Date(created - SETTLE_MARGIN_MS).toISOString().slice(0, 10), now);
}

// The outbox as /metrics shows it, read in one statement at scrape time. Only deliveries that are not finished
// are looked at, through the (status, nextAttemptAt) index of Delivery (prisma/schema.prisma): its cost follows
// the backlog, never the history of succeeded and skipped deliveries, which grows without bound.
import type { Db } from "../db/client.server.ts";
import type { DeliveryStatus } from "../pipeline/model.ts";
import { driverFor, sql } from "../pipeline/sql/driver.server.ts";

/** Statuses counted in the outbox gauges: everything a worker or a person still has to act on. */
export const OPEN_STATUSES = ["pending", "in_flight", "waiting", "paused", "failed"] as const satisfies readonly DeliveryStatus[];

export interface OutboxGroup {
  status: string;
  network: string;
  count: number;
  /** Pending rows only: the earliest createdAt. */
  oldestCreatedAt: Date | null;
  /** Pending rows only: the earliest nextAttemptAt that is already due. */
  oldestDueAt: Date | null;
  /** In-flight rows only: how many have a lease that has run out. */
  expiredLeases: number;
}

export interface OutboxSnapshot {
  at: Date;
  groups: OutboxGroup[];
}

function dateOf(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const date = new Date(typeof value === "number" ? value : String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

export async function readOutboxSnapshot(db: Db, now: Date): Promise<OutboxSnapshot> {
  const groups = await driverFor(db).read(function* () {
    const { rows } = yield sql`SELECT "status", "network", count(*) AS "count",
        min(CASE WHEN "status" = 'pending' THEN "createdAt" END) AS "oldestCreatedAt",
        min(CASE WHEN "status" = 'pending' AND "nextAttemptAt" <= ${now} THEN "nextAttemptAt" END) AS "oldestDueAt",
        sum(CASE WHEN "status" = 'in_flight' AND "leaseExpiresAt" <= ${now} THEN 1 ELSE 0 END) AS "expiredLeases"
      FROM "Delivery" WHERE "status" IN ('pending', 'in_flight', 'waiting', 'paused', 'failed')
      GROUP BY "status", "network"`;
    return rows;
  });
  return {
    at: now,
    groups: groups.map((row) => ({
      status: String(row.status),
      network: String(row.network),
      count: Number(row.count),
      oldestCreatedAt: dateOf(row.oldestCreatedAt),
      oldestDueAt: dateOf(row.oldestDueAt),
      expiredLeases: Number(row.expiredLeases ?? 0),
    })),
  };
}

// Claiming due deliveries under a lease. A claim is one statement, so two workers can never hold the same
// delivery: on SQLite the single writer makes the UPDATE ... WHERE id IN (SELECT ...) atomic; on PostgreSQL the
// rows are locked with FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint sets without waiting.
import { kindOf, type Db } from "../db/client.server.ts";

export interface ClaimOptions {
  owner: string;
  limit: number;
  /** At most this many per (shop, network) in one claim, so one busy target cannot fill a whole batch. */
  perTarget: number;
  leaseMs: number;
  now: Date;
}

/** How many due rows one claim looks at (in nextAttemptAt order) before ranking them per target. */
const SCAN = 500;

export async function claimDueDeliveries(db: Db, options: ClaimOptions): Promise<string[]> {
  if (options.limit <= 0) return [];
  const { owner, limit, perTarget, now } = options;
  const until = new Date(now.getTime() + options.leaseMs);
  const rows =
    kindOf(db) === "postgresql"
      ? await db.$queryRaw<Array<{ id: string }>>`
          WITH picked AS (
            SELECT "id" FROM "Delivery"
            WHERE "id" IN (
              SELECT "id" FROM (
                SELECT "id", row_number() OVER (PARTITION BY "shop", "network" ORDER BY "nextAttemptAt", "id") AS "rn"
                FROM (
                  SELECT "id", "shop", "network", "nextAttemptAt" FROM "Delivery"
                  WHERE "status" = 'pending' AND "nextAttemptAt" <= ${now}
                  ORDER BY "nextAttemptAt" LIMIT ${SCAN}
                ) AS "due"
              ) AS "ranked"
              WHERE "rn" <= ${perTarget}
            )
            AND "status" = 'pending' AND "nextAttemptAt" <= ${now}
            ORDER BY "nextAttemptAt"
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED
          )
          UPDATE "Delivery" AS d
          SET "status" = 'in_flight', "leaseOwner" = ${owner}, "leaseExpiresAt" = ${until}, "updatedAt" = ${now}
          FROM picked WHERE d."id" = picked."id"
          RETURNING d."id"`
      : await db.$queryRaw<Array<{ id: string }>>`
          UPDATE "Delivery"
          SET "status" = 'in_flight', "leaseOwner" = ${owner}, "leaseExpiresAt" = ${until}, "updatedAt" = ${now}
          WHERE "id" IN (
            SELECT "id" FROM (
              SELECT "id", "nextAttemptAt", row_number() OVER (PARTITION BY "shop", "network" ORDER BY "nextAttemptAt", "id") AS "rn"
              FROM (
                SELECT "id", "shop", "network", "nextAttemptAt" FROM "Delivery"
                WHERE "status" = 'pending' AND "nextAttemptAt" <= ${now}
                ORDER BY "nextAttemptAt" LIMIT ${SCAN}
              )
            )
            WHERE "rn" <= ${perTarget}
            ORDER BY "nextAttemptAt"
            LIMIT ${limit}
          )
          AND "status" = 'pending'
          RETURNING "id"`;
  return rows.map((row) => row.id);
}

/**
 * Deliveries whose lease ran out (their worker crashed or was killed) become pending again, due at once. The
 * attempt the dead worker was making may or may not have reached the network: that is the one window in which
 * a network can receive a delivery twice, and why leases are much longer than any request's timeout.
 */
export async function recoverExpiredLeases(db: Db, now: Date): Promise<number> {
  const result = await db.delivery.updateMany({
    where: { status: "in_flight", leaseExpiresAt: { lte: now } },
    data: { status: "pending", leaseOwner: null, leaseExpiresAt: null, nextAttemptAt: now, lastError: "its worker stopped before finishing; taken up again" },
  });
  return result.count;
}

/** Hands claimed deliveries that were not started back to the queue (graceful shutdown). */
export async function releaseClaims(db: Db, owner: string, ids: string[], now: Date): Promise<number> {
  if (!ids.length) return 0;
  const result = await db.delivery.updateMany({
    where: { id: { in: ids }, leaseOwner: owner, status: "in_flight" },
    data: { status: "pending", leaseOwner: null, leaseExpiresAt: null, nextAttemptAt: now },
  });
  return result.count;
}

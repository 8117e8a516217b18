// Claiming due deliveries under a lease. A claim is one statement, so two workers can never hold the same
// delivery: on SQLite the single writer makes the UPDATE ... WHERE id IN (SELECT ...) atomic; on PostgreSQL the
// rows are locked with FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint sets without waiting.
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client.server.ts";
import { driverFor, sql, type Row, type Stmt } from "./sql/driver.server.ts";

/**
 * True while the delivery's shop has the app uninstalled (app/compliance/uninstall.server.ts): nothing more is
 * sent for it. Used inside statements on "Delivery", correlated on its "shop".
 */
export const SHOP_UNINSTALLED = `EXISTS (SELECT 1 FROM "Shop" WHERE "Shop"."domain" = "Delivery"."shop" AND "Shop"."uninstalledAt" IS NOT NULL)`;

export interface ClaimOptions {
  /** The worker's id; each claim holds its rows as `<owner>:<random token>`. */
  owner: string;
  /** This claim's lease owner, when the caller needs to know it beforehand (see releaseClaimOf). */
  leaseOwner?: string;
  limit: number;
  /** At most this many per (shop, network) in one claim, so one busy target cannot fill a whole batch. */
  perTarget: number;
  leaseMs: number;
  now: Date;
  /** Networks claimed elsewhere (the paced ones: app/pipeline/claim-paced.server.ts). */
  exceptNetworks?: readonly string[];
}

/** A delivery as its worker needs it. */
export interface ClaimedDelivery {
  id: string;
  shop: string;
  orderId: string;
  network: string;
  kind: string;
  attempts: number;
  firstAttemptAt: Date | null;
  externalRef: string | null;
  payload: string | null;
  /**
   * This claim's own lease: the worker id plus a token fresh for every claim, so an attempt from an earlier claim
   * of the same row (whose lease ran out and which this worker then claimed again) cannot write over the new one.
   */
  leaseOwner: string;
  /** When this claim's lease runs out, as claimed (app/pipeline/renew-leases.server.ts: a fresh one needs no renewal). */
  leaseExpiresAt?: Date | null;
}

/** How many due rows one claim looks at (in nextAttemptAt order) before ranking them per target. */
const scanFor = (limit: number) => Math.min(500, Math.max(64, limit * 8));

export const CLAIMED_COLUMNS = `"id", "shop", "orderId", "network", "kind", "attempts", "firstAttemptAt", "externalRef", "payload", "leaseOwner", "leaseExpiresAt"`;

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(String(value));
}

export function claimedRow(row: Row): ClaimedDelivery {
  return {
    id: String(row.id),
    shop: String(row.shop),
    orderId: String(row.orderId),
    network: String(row.network),
    kind: String(row.kind),
    attempts: Number(row.attempts),
    firstAttemptAt: toDate(row.firstAttemptAt),
    externalRef: row.externalRef === null || row.externalRef === undefined ? null : String(row.externalRef),
    payload: row.payload === null || row.payload === undefined ? null : String(row.payload),
    leaseOwner: String(row.leaseOwner),
    leaseExpiresAt: toDate(row.leaseExpiresAt),
  };
}

function claimStatement(kind: "sqlite" | "postgresql", o: ClaimOptions, leaseOwner: string): Stmt {
  const until = new Date(o.now.getTime() + o.leaseMs);
  const except = o.exceptNetworks ?? [];
  const notExcepted = except.length ? ` AND "network" NOT IN (${except.map(() => "?").join(", ")})` : "";
  // One delivery per (shop, order, network) at a time: Retrack takes an order's absolute state, so of two
  // reversals sent at once (a cancellation and a refund, two refunds) the one computed first could land last.
  // Nothing is taken while a sibling is in flight, and at most one sibling per claim (the earliest due); on
  // PostgreSQL a concurrent claim ranks the same earliest sibling, finds it locked or in flight, and skips it.
  const open = `SELECT "id", "shop", "network", "nextAttemptAt",
        row_number() OVER (PARTITION BY "shop", "orderId", "network" ORDER BY "nextAttemptAt", "id") AS "perOrder"
    FROM (SELECT "id", "shop", "orderId", "network", "nextAttemptAt" FROM "Delivery"
          WHERE "status" = 'pending' AND "nextAttemptAt" <= ?${notExcepted} AND NOT ${SHOP_UNINSTALLED}
          ORDER BY "nextAttemptAt" LIMIT ${scanFor(o.limit)}) AS "due"
    WHERE NOT EXISTS (SELECT 1 FROM "Delivery" AS "busy"
      WHERE "busy"."shop" = "due"."shop" AND "busy"."orderId" = "due"."orderId" AND "busy"."network" = "due"."network" AND "busy"."status" = 'in_flight')`;
  const ranked = `SELECT "id", "nextAttemptAt", row_number() OVER (PARTITION BY "shop", "network" ORDER BY "nextAttemptAt", "id") AS "rn"
    FROM (${open}) AS "open" WHERE "perOrder" = 1`;
  if (kind === "postgresql") {
    return {
      sql: `WITH picked AS (
          SELECT "id" FROM "Delivery"
          WHERE "id" IN (SELECT "id" FROM (${ranked}) AS "ranked" WHERE "rn" <= ?)
            AND "status" = 'pending' AND "nextAttemptAt" <= ?
          ORDER BY "nextAttemptAt" LIMIT ?
          FOR UPDATE SKIP LOCKED)
        UPDATE "Delivery" AS d SET "status" = 'in_flight', "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ?
        FROM picked WHERE d."id" = picked."id"
        RETURNING ${CLAIMED_COLUMNS.replace(/"(\w+)"/g, 'd."$1"')}`,
      params: [o.now, ...except, o.perTarget, o.now, o.limit, leaseOwner, until, o.now],
    };
  }
  // SQLite: the claim runs inside BEGIN IMMEDIATE (one writer), so the rows the subquery picks are still pending
  // when they are updated; repeating the status test here would make SQLite walk the status index instead of
  // the primary key (measured: 8.5 ms instead of 1.7 ms with 20,000 pending).
  return {
    sql: `UPDATE "Delivery" SET "status" = 'in_flight', "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ?
      WHERE "id" IN (SELECT "id" FROM (${ranked}) WHERE "rn" <= ? ORDER BY "nextAttemptAt" LIMIT ?)
      RETURNING ${CLAIMED_COLUMNS}`,
    params: [leaseOwner, until, o.now, o.now, ...except, o.perTarget, o.limit],
  };
}

export function newLeaseOwner(owner: string): string {
  return `${owner}:${randomBytes(9).toString("base64url")}`;
}

export async function claimDueDeliveries(db: Db, options: ClaimOptions): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const driver = driverFor(db);
  const statement = claimStatement(driver.kind, options, options.leaseOwner ?? newLeaseOwner(options.owner));
  return driver.transaction(function* () {
    return (yield statement).rows.map(claimedRow);
  });
}

/**
 * Deliveries whose lease ran out (their worker crashed or was killed) become pending again, due at once. The
 * attempt the dead worker was making may or may not have reached the network: that is the one window in which
 * a network can receive a delivery twice, and why leases are much longer than any request's timeout.
 */
export async function recoverExpiredLeases(db: Db, now: Date): Promise<number> {
  return driverFor(db).transaction(function* () {
    const result = yield sql`UPDATE "Delivery" SET "status" = 'pending', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "nextAttemptAt" = ${now}, "updatedAt" = ${now}, "lastError" = 'its worker stopped before finishing; taken up again'
      WHERE "status" = 'in_flight' AND "leaseExpiresAt" <= ${now}`;
    return result.changes;
  });
}

/** Hands claimed deliveries that were not started back to the queue (graceful shutdown). */
export async function releaseClaims(db: Db, claims: ReadonlyArray<Pick<ClaimedDelivery, "id" | "leaseOwner">>, now: Date): Promise<number> {
  if (!claims.length) return 0;
  return driverFor(db).transaction(function* () {
    let released = 0;
    for (const claim of claims) {
      const result = yield sql`UPDATE "Delivery" SET "status" = 'pending', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
          "nextAttemptAt" = ${now}, "updatedAt" = ${now}
        WHERE "id" = ${claim.id} AND "leaseOwner" = ${claim.leaseOwner} AND "status" = 'in_flight'`;
      released += result.changes;
    }
    return released;
  });
}

/**
 * Hands back whatever one claim took, by its lease owner: for a claim whose answer never arrived (the connection
 * dropped around its COMMIT), which may or may not have committed. Nothing of it was sent, since the worker never
 * saw the rows; without this they would sit in flight until their lease ran out.
 */
export async function releaseClaimOf(db: Db, leaseOwner: string, now: Date): Promise<number> {
  return driverFor(db).transaction(function* () {
    const result = yield sql`UPDATE "Delivery" SET "status" = 'pending', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "nextAttemptAt" = ${now}, "updatedAt" = ${now}
      WHERE "leaseOwner" = ${leaseOwner} AND "status" = 'in_flight'`;
    return result.changes;
  });
}

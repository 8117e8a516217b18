// Renewing claims just before their request goes out, and finding out whether they still hold. A claim can sit in
// memory behind the per-target limit, and reading settings and mapping take time: a lease that ran out meanwhile
// may already be someone else's (or about to be), so that attempt must not be sent. A shop that uninstalled the
// app meanwhile gets nothing more: the delivery stops here instead ("stopped").
import type { Db } from "../db/client.server.ts";
import { STOPPED_ON_UNINSTALL } from "../compliance/uninstall.server.ts";
import { SHOP_UNINSTALLED, type ClaimedDelivery } from "./claim.server.ts";
import { groupCalls, groupedPer } from "./group-calls.ts";
import { driverFor } from "./sql/driver.server.ts";

export type LeaseState = "held" | "lost" | "stopped";

type Claim = Pick<ClaimedDelivery, "id" | "leaseOwner" | "leaseExpiresAt">;

/**
 * The rows of these claims, each only under its own lease owner. The plain "id" IN keeps SQLite on the primary
 * key: for the row values alone it walks the status index.
 */
function ofClaims(claims: readonly Claim[]): { sql: string; params: unknown[] } {
  return {
    sql: `"id" IN (${claims.map(() => "?").join(", ")}) AND ("id", "leaseOwner") IN (VALUES ${claims.map(() => "(?, ?)").join(", ")})`,
    params: [...claims.map((claim) => claim.id), ...claims.flatMap((claim) => [claim.id, claim.leaseOwner])],
  };
}

/**
 * Extends each claim's lease from now. One statement for all of them, whatever claims they came from, and a
 * second only for those it did not renew (their shop may have uninstalled the app). The statements are atomic on
 * their own and run without BEGIN/COMMIT: a held claim costs one round trip on PostgreSQL.
 */
export async function renewLeases(db: Db, claims: readonly Claim[], leaseMs: number, now: Date): Promise<Map<string, LeaseState>> {
  const until = new Date(now.getTime() + leaseMs);
  const states = new Map<string, LeaseState>(claims.map((claim) => [claim.id, "lost"]));
  if (!claims.length) return states;
  await driverFor(db).read(function* () {
    const held = (some: readonly Claim[]) => {
      const claimed = ofClaims(some);
      return { sql: `${claimed.sql} AND "status" = 'in_flight' AND "leaseExpiresAt" > ?`, params: [...claimed.params, now] };
    };
    const all = held(claims);
    const renewed = yield {
      sql: `UPDATE "Delivery" SET "leaseExpiresAt" = ?, "updatedAt" = ? WHERE ${all.sql} AND NOT ${SHOP_UNINSTALLED} RETURNING "id"`,
      params: [until, now, ...all.params],
    };
    for (const row of renewed.rows) states.set(String(row.id), "held");
    const rest = claims.filter((claim) => states.get(claim.id) !== "held");
    if (!rest.length) return;
    const others = held(rest);
    const stopped = yield {
      sql: `UPDATE "Delivery" SET "status" = 'stopped', "reason" = ?, "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = ?
        WHERE ${others.sql} AND ${SHOP_UNINSTALLED} RETURNING "id"`,
      params: [STOPPED_ON_UNINSTALL, now, ...others.params],
    };
    for (const row of stopped.rows) states.set(String(row.id), "stopped");
  });
  return states;
}

/** What renewing needs of the worker's context. */
export interface RenewContext {
  db: Db;
  leaseMs: number;
  now: () => Date;
}

/**
 * Claims whose lease still has most of its length to run are only checked (a read: no new row version, and no
 * write lock on SQLite), since the rest covers the request and its record: a request takes at most half a lease
 * (worker.server.ts leaseMs) and recording retries for at most a quarter (deliver.server.ts recordDurably), so
 * 7/8 of a lease left at sending still leaves an eighth at the last record.
 */
export async function checkLeases(db: Db, claims: readonly Claim[], now: Date): Promise<Set<string>> {
  if (!claims.length) return new Set();
  return driverFor(db).read(function* () {
    const { rows } = yield {
      sql: `SELECT "id" FROM "Delivery" WHERE ${ofClaims(claims).sql} AND "status" = 'in_flight' AND "leaseExpiresAt" > ? AND NOT ${SHOP_UNINSTALLED}`,
      params: [...ofClaims(claims).params, now],
    };
    return new Set(rows.map((row) => String(row.id)));
  });
}

const FRESH = 7 / 8;

const renewers = groupedPer((ctx: RenewContext) =>
  groupCalls<Claim, LeaseState>(async (claims) => {
    const now = ctx.now();
    const fresh = claims.filter((claim) => claim.leaseExpiresAt && claim.leaseExpiresAt.getTime() - now.getTime() >= ctx.leaseMs * FRESH);
    const held = await checkLeases(ctx.db, fresh, now);
    // What the check did not find held (lost, or its shop uninstalled) is renewed to find out which.
    const renew = claims.filter((claim) => !held.has(claim.id));
    const states = await renewLeases(ctx.db, renew, ctx.leaseMs, now);
    return claims.map((claim) => (held.has(claim.id) ? "held" : states.get(claim.id)!));
  }),
);

/** renewLeases for one claim, together with the others this worker is about to send (group-calls.ts). */
export function renewLease(ctx: RenewContext, claim: Claim): Promise<LeaseState> {
  return renewers(ctx)(claim);
}

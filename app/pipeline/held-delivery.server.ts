// Statements on a delivery its claim still holds (app/pipeline/claim.server.ts leases): the update that finishes
// or reschedules it, and what follows from its new state for the order's other deliveries to the same network.
// Shared by settling without sending (deliver.server.ts) and by recording attempts (record-attempts.server.ts).
import { STOPPED_ON_UNINSTALL } from "../compliance/uninstall.server.ts";
import { KEYS_REJECTED, nothingToReverse } from "../networks/decide.ts";
import { SHOP_UNINSTALLED, type ClaimedDelivery } from "./claim.server.ts";
import { CONVERSION } from "./model.ts";
import { sql, type Stmt } from "./sql/driver.server.ts";

export type Columns = Record<string, unknown>;

/** A value computed by the statement itself (a column that depends on what another transaction did). */
export class SqlValue {
  constructor(
    readonly sql: string,
    readonly params: unknown[],
  ) {}
}

export const valueSql = (value: unknown): [string, unknown[]] => (value instanceof SqlValue ? [value.sql, value.params] : ["?", [value]]);

/**
 * UPDATE of a delivery this claim holds: changes nothing once the lease has gone to another claim. A delivery
 * going back to pending stops instead when its shop has uninstalled the app meanwhile: nothing more is sent.
 */
export function updateHeld(d: Pick<ClaimedDelivery, "id" | "leaseOwner">, columns: Columns): Stmt {
  const names = Object.keys(columns);
  const params: unknown[] = [];
  const set = names.map((n) => {
    const [value, valueParams] = valueSql(columns[n]);
    if (columns.status === "pending" && (n === "status" || n === "reason")) {
      params.push(n === "status" ? "stopped" : STOPPED_ON_UNINSTALL, ...valueParams);
      return `"${n}" = CASE WHEN ${SHOP_UNINSTALLED} THEN ? ELSE ${value} END`;
    }
    params.push(...valueParams);
    return `"${n}" = ${value}`;
  });
  return {
    sql: `UPDATE "Delivery" SET ${set.join(", ")} WHERE "id" = ? AND "leaseOwner" = ? AND "status" = 'in_flight'`,
    params: [...params, d.id, d.leaseOwner],
  };
}

export const released = (now: Date): Columns => ({ leaseOwner: null, leaseExpiresAt: null, updatedAt: now });

export function* afterConversion(d: ClaimedDelivery, status: string, reason: string | null, now: Date): Generator<Stmt, void, unknown> {
  if (d.kind !== CONVERSION) return;
  if (status === "succeeded") {
    // The reversals that were waiting for this conversion can go now.
    yield sql`UPDATE "Delivery" SET "status" = 'pending', "reason" = NULL, "nextAttemptAt" = ${now}, "updatedAt" = ${now}
      WHERE "shop" = ${d.shop} AND "orderId" = ${d.orderId} AND "network" = ${d.network} AND "status" = 'waiting'`;
  } else if (status === "skipped") {
    yield sql`UPDATE "Delivery" SET "status" = 'skipped', "reason" = ${nothingToReverse(reason)},
        "completedAt" = ${now}, "updatedAt" = ${now}
      WHERE "shop" = ${d.shop} AND "orderId" = ${d.orderId} AND "network" = ${d.network} AND "status" = 'waiting'`;
  }
}

export function* pauseOthers(d: ClaimedDelivery, credentialsVersion: number, now: Date): Generator<Stmt, void, unknown> {
  // Sending more with keys the network just rejected cannot work: the shop's other due deliveries to it wait too.
  yield sql`UPDATE "Delivery" SET "status" = 'paused', "reason" = ${KEYS_REJECTED}, "credentialsVersion" = ${credentialsVersion}, "updatedAt" = ${now}
    WHERE "shop" = ${d.shop} AND "network" = ${d.network} AND "status" = 'pending'
      AND ("credentialsVersion" IS NULL OR "credentialsVersion" <= ${credentialsVersion})`;
}

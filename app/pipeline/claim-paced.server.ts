// Claiming for networks that declare pacing (app/networks/types.ts DeliveryPacing): one claim is one request's
// worth for one shop, a batch of up to batchSize due conversions (or a single reversal), and where the network
// has a rate limit the claim also takes the shop's next request slot. Slots are a next-allowed time on the shop's
// NetworkConnection row, moved forward in the claim's transaction only while it has passed, so that every worker
// process sharing the database keeps to one request per perMs / requests for that shop: evenly spaced, which never
// puts more than `requests` into any window of perMs. Claims for every other network stay in claim.server.ts.
import type { Db } from "../db/client.server.ts";
import type { AnyNetworkDefinition } from "../networks/registry.ts";
import type { Classification } from "../networks/types.ts";
import { claimedRow, CLAIMED_COLUMNS, newLeaseOwner, type ClaimedDelivery } from "./claim.server.ts";
import { CONVERSION } from "./model.ts";
import { driverFor, sql, type Stmt, type Work } from "./sql/driver.server.ts";

export interface PacedNetwork {
  network: string;
  /** The least time between two requests to it for one shop; null without a rate limit. */
  intervalMs: number | null;
  /** Due conversions that travel in one request (1 without `combine`). */
  batchSize: number;
}

/** The networks whose deliveries the worker claims here, and how. */
export function pacedNetworks(definitions: readonly AnyNetworkDefinition[]): PacedNetwork[] {
  return definitions.flatMap((definition) => {
    const rate = definition.pacing?.rateLimit;
    const batchSize = definition.combine ? Math.max(1, Math.floor(definition.pacing?.batchSize ?? 1)) : 1;
    if (!rate && batchSize === 1) return [];
    return [{ network: definition.id, intervalMs: rate ? Math.ceil(rate.perMs / Math.max(1, rate.requests)) : null, batchSize }];
  });
}

export interface PacedClaimOptions {
  owner: string;
  /**
   * The lease owner of every unit this call claims, when the caller needs to know it beforehand: a call whose
   * answer is lost is handed back by it (releasePacedClaimOf).
   */
  leaseOwner?: string;
  /** Requests (claims) wanted at most. */
  limit: number;
  leaseMs: number;
  now: Date;
  paced: readonly PacedNetwork[];
}

const EPOCH = new Date(0);

/** What a claim at `now` sets the shop's next request slot to. */
const slotTaken = (now: Date, intervalMs: number) => new Date(now.getTime() + intervalMs);

/** Shops with due work for a paced network whose next request slot has come. */
function* targets(kind: "sqlite" | "postgresql", o: PacedClaimOptions): Work<Array<{ shop: string; network: string }>> {
  const networks = o.paced.map((p) => p.network);
  // SQLite would look for the due delivery through the (status, nextAttemptAt) index, walking every due delivery
  // of every other network once the paced one has none (measured in bench/drain.bench.ts: a tenth of a worker's
  // time with 15,000 due); a unary + keeps it on (shop, network, status), where the first row usually answers.
  const due = kind === "sqlite" ? `+"d"."nextAttemptAt"` : `"d"."nextAttemptAt"`;
  const { rows } = yield {
    sql: `SELECT "c"."shop", "c"."network" FROM "NetworkConnection" AS "c"
      WHERE "c"."network" IN (${networks.map(() => "?").join(", ")})
        AND ("c"."nextRequestAt" IS NULL OR "c"."nextRequestAt" <= ?)
        AND EXISTS (SELECT 1 FROM "Delivery" AS "d"
          WHERE "d"."shop" = "c"."shop" AND "d"."network" = "c"."network" AND "d"."status" = 'pending' AND ${due} <= ?)
        AND NOT EXISTS (SELECT 1 FROM "Shop" WHERE "Shop"."domain" = "c"."shop" AND "Shop"."uninstalledAt" IS NOT NULL)
      ORDER BY COALESCE("c"."nextRequestAt", ?), "c"."shop", "c"."network" LIMIT ?`,
    params: [...networks, o.now, o.now, EPOCH, o.limit],
  };
  return rows.map((row) => ({ shop: String(row.shop), network: String(row.network) }));
}

/**
 * One request's worth for one shop and network, or nothing. The earliest due delivery decides what: a conversion
 * brings the other due conversions along (up to batchSize); a reversal goes alone. As in claim.server.ts, nothing
 * is taken for an order that has a delivery to this network in flight.
 */
function* claimOne(kind: "sqlite" | "postgresql", o: PacedClaimOptions, leaseOwner: string, pace: PacedNetwork, shop: string): Work<ClaimedDelivery[]> {
  const { rows } = yield {
    sql: `SELECT "id", "kind" FROM "Delivery" AS "due"
      WHERE "shop" = ? AND "network" = ? AND "status" = 'pending' AND "nextAttemptAt" <= ?
        AND NOT EXISTS (SELECT 1 FROM "Delivery" AS "busy"
          WHERE "busy"."shop" = "due"."shop" AND "busy"."orderId" = "due"."orderId" AND "busy"."network" = "due"."network" AND "busy"."status" = 'in_flight')
      ORDER BY "nextAttemptAt", "id" LIMIT ?${kind === "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""}`,
    params: [shop, pace.network, o.now, pace.batchSize],
  };
  const first = rows[0];
  if (!first) return [];
  const ids = (first.kind === CONVERSION ? rows.filter((row) => row.kind === CONVERSION) : [first]).map((row) => String(row.id));
  if (pace.intervalMs !== null) {
    // The slot: taken only while it has come, so of two workers racing for it one gets it and the other nothing.
    const slot = yield sql`UPDATE "NetworkConnection" SET "nextRequestAt" = ${slotTaken(o.now, pace.intervalMs)}
      WHERE "shop" = ${shop} AND "network" = ${pace.network} AND ("nextRequestAt" IS NULL OR "nextRequestAt" <= ${o.now})`;
    if (slot.changes === 0) return [];
  }
  const claimed = yield {
    sql: `UPDATE "Delivery" SET "status" = 'in_flight', "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ?
      WHERE "id" IN (${ids.map(() => "?").join(", ")}) AND "status" = 'pending'
      RETURNING ${CLAIMED_COLUMNS}`,
    params: [leaseOwner, new Date(o.now.getTime() + o.leaseMs), o.now, ...ids],
  };
  return claimed.rows.map(claimedRow).sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
}

/** Up to `limit` requests' worth of paced deliveries, each list one shop's for one network. */
export async function claimPacedDeliveries(db: Db, options: PacedClaimOptions): Promise<ClaimedDelivery[][]> {
  if (options.limit <= 0 || options.paced.length === 0) return [];
  const driver = driverFor(db);
  const leaseOwner = options.leaseOwner ?? newLeaseOwner(options.owner);
  const found = await driver.read(() => targets(driver.kind, options));
  const units: ClaimedDelivery[][] = [];
  for (const target of found) {
    const pace = options.paced.find((p) => p.network === target.network);
    if (!pace) continue;
    const unit = await driver.transaction(() => claimOne(driver.kind, options, leaseOwner, pace, target.shop));
    if (unit.length) units.push(unit);
  }
  return units;
}

/**
 * Hands back whatever one call of claimPacedDeliveries took, for a call that threw: a claim whose answer was lost
 * (the connection dropped around its COMMIT) may have committed, and units claimed before it never reached the
 * worker either. As releaseClaimOf in claim.server.ts does for the other networks, their deliveries are due again
 * at once; and the request slots those claims took go back to the claim's time, since nothing was sent in them.
 * A slot that has moved on since (another claim took a later one) is left alone.
 */
export async function releasePacedClaimOf(db: Db, claim: Pick<PacedClaimOptions, "now" | "paced"> & { leaseOwner: string }, now: Date): Promise<number> {
  const { leaseOwner } = claim;
  return driverFor(db).transaction(function* () {
    const released = yield sql`UPDATE "Delivery" SET "status" = 'pending', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "nextAttemptAt" = ${now}, "updatedAt" = ${now}
      WHERE "leaseOwner" = ${leaseOwner} AND "status" = 'in_flight' RETURNING "shop", "network"`;
    const slots = new Set(released.rows.map((row) => JSON.stringify([String(row.shop), String(row.network)])));
    for (const slot of slots) {
      const [shop, network] = JSON.parse(slot) as [string, string];
      const intervalMs = claim.paced.find((pace) => pace.network === network)?.intervalMs;
      if (intervalMs === null || intervalMs === undefined) continue;
      yield sql`UPDATE "NetworkConnection" SET "nextRequestAt" = ${claim.now}
        WHERE "shop" = ${shop} AND "network" = ${network} AND "nextRequestAt" = ${slotTaken(claim.now, intervalMs)}`;
    }
    return released.rows.length;
  });
}

/**
 * A 429 with Retry-After speaks for the shop's key, not only for the deliveries in that request: the shop's next
 * request slot moves to at least then, so the paced claim sends none of its other due deliveries into the same
 * refusal. Capped as the deliveries' own wait is (RetryPolicy.maxRetryAfterMs in retry-policy.ts). Only the paced
 * claim reads the slot; for the other networks the statement changes a column nothing reads.
 */
export function* holdOffAfterRetryAfter(
  d: Pick<ClaimedDelivery, "shop" | "network">,
  answer: { httpStatus: number | null; classification: Classification },
  maxWaitMs: number,
  now: Date,
): Generator<Stmt, void, unknown> {
  const c = answer.classification;
  if (answer.httpStatus !== 429 || c.kind !== "retry" || !c.retryAfterMs || c.retryAfterMs <= 0) return;
  const until = new Date(now.getTime() + Math.min(c.retryAfterMs, maxWaitMs));
  yield sql`UPDATE "NetworkConnection" SET "nextRequestAt" = ${until}
    WHERE "shop" = ${d.shop} AND "network" = ${d.network} AND ("nextRequestAt" IS NULL OR "nextRequestAt" < ${until})`;
}

// A sweep for reversals left `waiting` after their conversion settled. The worker releases waiting reversals in
// the same statement that records the conversion, but a reversal can still be written as `waiting` after that:
// on PostgreSQL its webhook read the conversion as unsettled, and the worker's statement ran before its insert
// committed. Run periodically, this lets such a reversal go (or be skipped) like the others.
import type { Db } from "../db/client.server.ts";
import { NOTHING_TO_REVERSE } from "../networks/decide.ts";
import { CONVERSION } from "./model.ts";
import { driverFor, sql } from "./sql/driver.server.ts";

export interface ReleasedReversals {
  /** Now pending: their conversion succeeded. */
  released: number;
  /** Now skipped: their conversion was never sent. */
  skipped: number;
}

/** Moves `waiting` reversals whose (shop, order, network) conversion succeeded to pending, or was skipped to skipped. */
export async function releaseWaitingReversals(db: Db, now: Date): Promise<ReleasedReversals> {
  return driverFor(db).transaction(function* () {
    const released = yield sql`UPDATE "Delivery" SET "status" = 'pending', "reason" = NULL, "nextAttemptAt" = ${now}, "updatedAt" = ${now}
      WHERE "status" = 'waiting' AND EXISTS (
        SELECT 1 FROM "Delivery" AS "c"
        WHERE "c"."shop" = "Delivery"."shop" AND "c"."orderId" = "Delivery"."orderId" AND "c"."network" = "Delivery"."network"
          AND "c"."kind" = ${CONVERSION} AND "c"."status" = 'succeeded')`;
    // The reason is app/networks/decide.ts's nothingToReverse, built here from its parts for each row's conversion.
    const { before, unknownReason, after } = NOTHING_TO_REVERSE;
    const skipped = yield sql`UPDATE "Delivery" SET "status" = 'skipped',
        "reason" = (
          SELECT CAST(${before} AS TEXT) || COALESCE("c"."reason", CAST(${unknownReason} AS TEXT)) || CAST(${after} AS TEXT)
          FROM "Delivery" AS "c"
          WHERE "c"."shop" = "Delivery"."shop" AND "c"."orderId" = "Delivery"."orderId" AND "c"."network" = "Delivery"."network"
            AND "c"."kind" = ${CONVERSION}),
        "completedAt" = ${now}, "updatedAt" = ${now}
      WHERE "status" = 'waiting' AND EXISTS (
        SELECT 1 FROM "Delivery" AS "c"
        WHERE "c"."shop" = "Delivery"."shop" AND "c"."orderId" = "Delivery"."orderId" AND "c"."network" = "Delivery"."network"
          AND "c"."kind" = ${CONVERSION} AND "c"."status" = 'skipped')`;
    return { released: released.changes, skipped: skipped.changes };
  });
}

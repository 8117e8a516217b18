// What a delivery's decision reads before its request is mapped (deliver.server.ts prepare): the order as
// recorded, and for a reversal its conversion's standing and the order's refunds. Read for the deliveries that are
// prepared together in one unit of work (group-calls.ts), the orders in one statement: an order's four
// deliveries, and a claim's dozens, are one round trip instead of one each.
import type { Db } from "../db/client.server.ts";
import type { ClaimedDelivery } from "./claim.server.ts";
import { groupCalls, groupedPer } from "./group-calls.ts";
import { CONVERSION, REFUND_PREFIX } from "./model.ts";
import { driverFor, sql, type Row } from "./sql/driver.server.ts";

export interface DecisionInputs {
  /** null: the order was deleted. */
  orderPayload: string | null;
  /** A reversal's conversion to the same network. */
  conversion: Row | undefined;
  /** Every refund recorded for the order: networks that take the order's absolute state subtract them all. */
  refundPayloads: string[];
}

type Delivery = Pick<ClaimedDelivery, "shop" | "orderId" | "network" | "kind">;

export async function readDecisionInputs(db: Db, ds: readonly Delivery[]): Promise<DecisionInputs[]> {
  const orderIds = [...new Set(ds.map((d) => d.orderId))];
  return driverFor(db).read(function* () {
    const { rows } = yield {
      sql: `SELECT "payload", "id" AS "orderId" FROM "Order" WHERE "id" IN (${orderIds.map(() => "?").join(", ")})`,
      params: orderIds,
    };
    const payloads = new Map(rows.map((row) => [String(row.orderId), String(row.payload)]));
    const inputs: DecisionInputs[] = [];
    for (const d of ds) {
      const conversion =
        d.kind === CONVERSION
          ? undefined
          : (yield sql`SELECT "status", "reason", "externalRef" FROM "Delivery"
              WHERE "shop" = ${d.shop} AND "orderId" = ${d.orderId} AND "network" = ${d.network} AND "kind" = ${CONVERSION}`).rows[0];
      const refunds = d.kind.startsWith(REFUND_PREFIX)
        ? (yield sql`SELECT "payload" FROM "Delivery"
              WHERE "shop" = ${d.shop} AND "orderId" = ${d.orderId} AND "network" = ${d.network} AND "kind" LIKE ${`${REFUND_PREFIX}%`}`).rows
        : [];
      inputs.push({ orderPayload: payloads.get(d.orderId) ?? null, conversion, refundPayloads: refunds.map((row) => String(row.payload)) });
    }
    return inputs;
  });
}

const readers = groupedPer((db: Db) => groupCalls<Delivery, DecisionInputs>((ds) => readDecisionInputs(db, ds)));

/** readDecisionInputs for one delivery, together with the others being prepared in this process. */
export function decisionInputs(db: Db, d: Delivery): Promise<DecisionInputs> {
  return readers(db)(d);
}

// customers/redact: the customer's personal data leaves stored orders, every logged request and answer, and the
// deliveries' reasons. Order amounts and references stay: the merchant still needs them to reconcile commissions.
//
// A delivery can be in flight meanwhile: its worker read the order before the scrub and records its attempt after
// it. The order's redactedAt is the marker that recording consults (app/pipeline/deliver.server.ts scrubs what it
// writes once it is set), and both sides take the order's row first: here it is locked for the whole scrub (on
// SQLite the write transaction is exclusive), there the attempt's statement takes it FOR SHARE. So an attempt is
// recorded either before the scrub (and scrubbed here) or after it (and scrubbed as it is written).
import { markDaysStatement } from "../admin/accuracy-days.server.ts";
import type { Db, DbKind } from "../db/client.server.ts";
import { driverFor, sql, type Stmt, type Work } from "../pipeline/sql/driver.server.ts";
import type { CustomerSelector } from "./customer-payload.ts";
import { customerNeedles, scrubLoggedRequest, scrubText, scrubValue } from "./customer-scrub.ts";

export { scrubValue } from "./customer-scrub.ts";

/** The selector's orders, locked against concurrent attempt records (PostgreSQL; SQLite's writer is exclusive). */
function customerOrders(selector: CustomerSelector, lock: boolean): Stmt | null {
  const or: string[] = [];
  const params: unknown[] = [selector.shop];
  if (selector.customerId) {
    or.push(`"customerId" = ?`);
    params.push(selector.customerId);
  }
  if (selector.email) {
    or.push(`"customerEmail" = ?`);
    params.push(selector.email);
  }
  if (selector.orderIds.length) {
    or.push(`"shopifyOrderId" IN (${selector.orderIds.map(() => "?").join(", ")})`);
    params.push(...selector.orderIds);
  }
  // No way to identify the customer: match nothing rather than everything.
  if (!or.length) return null;
  return {
    sql: `SELECT "id", "payload" FROM "Order" WHERE "shop" = ? AND (${or.join(" OR ")}) ORDER BY "id"${lock ? " FOR UPDATE" : ""}`,
    params,
  };
}

function* redactWork(selector: CustomerSelector, kind: DbKind, now: Date): Work<{ orders: number; attempts: number }> {
  const lock = kind === "postgresql";
  const select = customerOrders(selector, lock);
  const orders = select ? (yield select).rows : [];
  let attempts = 0;
  for (const order of orders) {
    const orderId = String(order.id);
    const payload = JSON.parse(String(order.payload)) as Record<string, unknown>;
    const needles = customerNeedles(payload.customer, { email: selector.email, phone: selector.phone });
    yield sql`UPDATE "Order" SET "payload" = ${JSON.stringify(scrubValue(payload, needles))}, "customerId" = NULL, "customerEmail" = NULL,
        "redactedAt" = ${now}, "updatedAt" = ${now}
      WHERE "id" = ${orderId}`;
    const logged = (yield sql`SELECT "a"."id", "a"."request", "a"."responseExcerpt", "a"."error" FROM "DeliveryAttempt" AS "a"
        JOIN "Delivery" AS "d" ON "d"."id" = "a"."deliveryId" WHERE "d"."orderId" = ${orderId}`).rows;
    for (const attempt of logged) {
      const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
      // A request already pruned (app/pipeline/prune-attempt-bodies.server.ts) stays null.
      const request = text(attempt.request);
      yield sql`UPDATE "DeliveryAttempt" SET "request" = ${request === null ? null : scrubLoggedRequest(request, needles)},
          "responseExcerpt" = ${scrubText(text(attempt.responseExcerpt), needles)}, "error" = ${scrubText(text(attempt.error), needles)}
        WHERE "id" = ${String(attempt.id)}`;
    }
    attempts += logged.length;
    // Reasons and errors can quote a network's answer, which may echo the customer's email or name.
    const deliveries = (yield sql`SELECT "id", "reason", "lastError" FROM "Delivery" WHERE "orderId" = ${orderId}`).rows;
    for (const delivery of deliveries) {
      const reason = delivery.reason === null ? null : String(delivery.reason);
      const lastError = delivery.lastError === null ? null : String(delivery.lastError);
      const scrubbedReason = scrubText(reason, needles);
      const scrubbedError = scrubText(lastError, needles);
      if (scrubbedReason === reason && scrubbedError === lastError) continue;
      yield sql`UPDATE "Delivery" SET "reason" = ${scrubbedReason}, "lastError" = ${scrubbedError} WHERE "id" = ${String(delivery.id)}`;
    }
  }
  // A scrubbed skip reason can fall into another reason group: the orders' settled days count again
  // (app/admin/accuracy-days.server.ts).
  if (orders.length) {
    const ids = orders.map((order) => String(order.id));
    yield markDaysStatement(kind, `"Order" o WHERE o."id" IN (${ids.map(() => "?").join(", ")})`, ids, now);
  }
  if (selector.customerId) yield sql`DELETE FROM "DataRequest" WHERE "shop" = ${selector.shop} AND "customerId" = ${selector.customerId}`;
  if (selector.email) yield sql`DELETE FROM "DataRequest" WHERE "shop" = ${selector.shop} AND "email" = ${selector.email}`;
  return { orders: orders.length, attempts };
}

export async function redactCustomer(db: Db, selector: CustomerSelector): Promise<{ orders: number; attempts: number }> {
  const driver = driverFor(db);
  return driver.transaction(() => redactWork(selector, driver.kind, new Date()));
}

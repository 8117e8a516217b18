// The durable outbox: an order and its deliveries are written in one transaction, together with the webhook
// receipt that brought them, so that a webhook is either fully recorded or not at all.
import type { Db } from "../db/client.server.ts";
import type { NormalizedOrder } from "../orders/model.ts";
import type { PlannedDelivery } from "./plan.ts";
import { driverFor, Rollback, sql, type Work } from "./sql/driver.server.ts";
import { newId } from "./sql/ids.ts";

export interface ExistingDelivery {
  network: string;
  kind: string;
  status: string;
  reason: string | null;
}

export interface RecordInput {
  shop: string;
  order: NormalizedOrder;
  /** The webhook that brought the order; a second webhook with the same event id changes nothing. */
  receipt?: { eventId: string; topic: string };
  /** Set when the order is known to be paid (orders/paid, reconciliation); the first one is kept. */
  paidAt?: Date;
  /** Deliveries to create, decided against the order's existing deliveries (inside the transaction). */
  plan: (existing: ExistingDelivery[]) => PlannedDelivery[];
  /** Whether an existing order row keeps its stored payload (a refund only refers to the order). */
  keepPayload?: boolean;
  now?: Date;
}

export type RecordResult = { duplicate: true } | { duplicate: false; orderRowId: string; created: PlannedDelivery[] };

function* recordWork(input: RecordInput, now: Date): Work<RecordResult> {
  const { shop, order } = input;
  if (input.receipt) {
    const receipt = yield sql`INSERT INTO "WebhookReceipt" ("eventId", "shop", "topic", "receivedAt")
      VALUES (${input.receipt.eventId}, ${shop}, ${input.receipt.topic}, ${now}) ON CONFLICT DO NOTHING`;
    if (receipt.changes === 0) throw new Rollback<RecordResult>({ duplicate: true });
  }
  const payload = JSON.stringify(order);
  const customerId = order.customer?.id ?? null;
  const customerEmail = order.customer?.email ?? null;
  const cancelledAt = order.cancelledAt ? new Date(order.cancelledAt) : null;
  // The upsert locks the order's row, so two webhooks about one order (PostgreSQL, READ COMMITTED) take turns
  // and the second sees the first one's deliveries below.
  const upserted = input.keepPayload
    ? yield sql`INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "test", "payload", "customerId", "customerEmail", "paidAt", "cancelledAt", "createdAt", "updatedAt")
        VALUES (${newId()}, ${shop}, ${order.id}, ${order.name}, ${order.test}, ${payload}, ${customerId}, ${customerEmail}, ${input.paidAt ?? null}, ${cancelledAt}, ${now}, ${now})
        ON CONFLICT ("shop", "shopifyOrderId") DO UPDATE SET "updatedAt" = excluded."updatedAt"
        RETURNING "id"`
    : yield sql`INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "test", "payload", "customerId", "customerEmail", "paidAt", "cancelledAt", "createdAt", "updatedAt")
        VALUES (${newId()}, ${shop}, ${order.id}, ${order.name}, ${order.test}, ${payload}, ${customerId}, ${customerEmail}, ${input.paidAt ?? null}, ${cancelledAt}, ${now}, ${now})
        ON CONFLICT ("shop", "shopifyOrderId") DO UPDATE SET
          "name" = excluded."name", "test" = excluded."test", "payload" = excluded."payload",
          "customerId" = excluded."customerId", "customerEmail" = excluded."customerEmail",
          "paidAt" = COALESCE("Order"."paidAt", excluded."paidAt"), "cancelledAt" = excluded."cancelledAt",
          "updatedAt" = excluded."updatedAt"
        RETURNING "id"`;
  const orderRowId = String(upserted.rows[0]!.id);
  const existing = (yield sql`SELECT "network", "kind", "status", "reason" FROM "Delivery" WHERE "orderId" = ${orderRowId}`).rows as unknown as ExistingDelivery[];
  const taken = new Set(existing.map((d) => `${d.network}\u0000${d.kind}`));
  const created: PlannedDelivery[] = [];
  for (const p of input.plan(existing)) {
    if (taken.has(`${p.network}\u0000${p.kind}`)) continue;
    const completedAt = p.status === "skipped" || p.status === "failed" ? now : null;
    const inserted = yield sql`INSERT INTO "Delivery" ("id", "shop", "orderId", "network", "kind", "status", "reason", "payload", "attempts", "nextAttemptAt", "credentialsVersion", "completedAt", "createdAt", "updatedAt")
      VALUES (${newId()}, ${shop}, ${orderRowId}, ${p.network}, ${p.kind}, ${p.status}, ${p.reason}, ${p.payload ?? null}, 0, ${now}, ${p.credentialsVersion}, ${completedAt}, ${now}, ${now})
      ON CONFLICT DO NOTHING`;
    if (inserted.changes) created.push(p);
    taken.add(`${p.network}\u0000${p.kind}`);
  }
  return { duplicate: false, orderRowId, created };
}

/**
 * Records an order and its planned deliveries. Idempotent: a repeated receipt changes nothing, and deliveries are
 * unique per (shop, order, network, kind), so the same order under a new event id makes no second delivery.
 */
export async function recordOrder(db: Db, input: RecordInput): Promise<RecordResult> {
  const now = input.now ?? new Date();
  return driverFor(db).transaction(() => recordWork(input, now));
}

/** The recorded order's row id and normalized payload, or null. */
export async function findRecordedOrder(db: Db, shop: string, shopifyOrderId: string): Promise<{ id: string; order: NormalizedOrder } | null> {
  return driverFor(db).read(function* () {
    const { rows } = yield sql`SELECT "id", "payload" FROM "Order" WHERE "shop" = ${shop} AND "shopifyOrderId" = ${shopifyOrderId}`;
    const row = rows[0];
    return row ? { id: String(row.id), order: JSON.parse(String(row.payload)) as NormalizedOrder } : null;
  });
}

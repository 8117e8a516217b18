// The durable outbox: an order and its deliveries are written in one transaction, together with the webhook
// receipt that brought them, so that a webhook is either fully recorded or not at all.
import type { Db } from "../db/client.server.ts";
import type { NormalizedOrder } from "../orders/model.ts";
import type { PlannedDelivery } from "./plan.ts";
import { driverFor, Rollback, sql, type SqlDriver, type Stmt, type Work } from "./sql/driver.server.ts";
import { newId } from "./sql/ids.ts";

export interface ExistingDelivery {
  network: string;
  kind: string;
  status: string;
  reason: string | null;
  /** What the network returned for it (a conversion's Retrack uuid): reversals are decided with it. */
  externalRef: string | null;
}

export interface RecordInput {
  shop: string;
  order: NormalizedOrder;
  /**
   * The webhook that brought the order; receipts are unique per (shop, topic, event id), so a retry of the same
   * delivery changes nothing while the same event id under another shop or topic is recorded.
   */
  receipt?: { eventId: string; topic: string };
  /** Set when the order is known to be paid (orders/paid, reconciliation); the first one is kept. */
  paidAt?: Date;
  /** Deliveries to create, decided against the order's existing deliveries (inside the transaction). */
  plan: (existing: ExistingDelivery[]) => PlannedDelivery[];
  /** Set when the plan does not depend on existing deliveries (orders/paid): PostgreSQL then needs one round trip. */
  staticPlan?: boolean;
  /** Whether an existing order row keeps its stored payload (a refund only refers to the order). */
  keepPayload?: boolean;
  /**
   * orders/cancelled: an existing order row keeps its stored as-paid payload and customer (a customers/redact may
   * have scrubbed them) and only takes the cancellation time; a new one is recorded from `order`.
   */
  cancelOnly?: boolean;
  now?: Date;
}

/** app/compliance matches customers by lowercased email, so the column holds it lowercased. */
function storedEmail(order: NormalizedOrder): string | null {
  return order.customer?.email?.toLowerCase() ?? null;
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
  const customerEmail = storedEmail(order);
  const cancelledAt = order.cancelledAt ? new Date(order.cancelledAt) : null;
  // The upsert locks the order's row, so two webhooks about one order (PostgreSQL, READ COMMITTED) take turns
  // and the second sees the first one's deliveries below. A row customers/redact scrubbed (redactedAt, set by
  // app/compliance/customer-redact.server.ts) keeps its scrubbed payload and customer columns: a later webhook
  // or Shopify's retry carries the customer again (the same rule in recordInOneStatement).
  const upserted = input.keepPayload || input.cancelOnly
    ? yield sql`INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "test", "payload", "customerId", "customerEmail", "paidAt", "cancelledAt", "createdAt", "updatedAt")
        VALUES (${newId()}, ${shop}, ${order.id}, ${order.name}, ${order.test}, ${payload}, ${customerId}, ${customerEmail}, ${input.paidAt ?? null}, ${cancelledAt}, ${now}, ${now})
        ON CONFLICT ("shop", "shopifyOrderId") DO UPDATE SET "updatedAt" = excluded."updatedAt"
        RETURNING "id", "payload"`
    : yield sql`INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "test", "payload", "customerId", "customerEmail", "paidAt", "cancelledAt", "createdAt", "updatedAt")
        VALUES (${newId()}, ${shop}, ${order.id}, ${order.name}, ${order.test}, ${payload}, ${customerId}, ${customerEmail}, ${input.paidAt ?? null}, ${cancelledAt}, ${now}, ${now})
        ON CONFLICT ("shop", "shopifyOrderId") DO UPDATE SET
          "name" = excluded."name", "test" = excluded."test",
          "payload" = CASE WHEN "Order"."redactedAt" IS NULL THEN excluded."payload" ELSE "Order"."payload" END,
          "customerId" = CASE WHEN "Order"."redactedAt" IS NULL THEN excluded."customerId" ELSE "Order"."customerId" END,
          "customerEmail" = CASE WHEN "Order"."redactedAt" IS NULL THEN excluded."customerEmail" ELSE "Order"."customerEmail" END,
          "paidAt" = COALESCE("Order"."paidAt", excluded."paidAt"), "cancelledAt" = excluded."cancelledAt",
          "updatedAt" = excluded."updatedAt"
        RETURNING "id"`;
  const orderRowId = String(upserted.rows[0]!.id);
  if (input.cancelOnly && order.cancelledAt) {
    // The row is locked by the upsert above; the stored payload stays as paid, with the cancellation noted.
    const stored = JSON.parse(String(upserted.rows[0]!.payload)) as NormalizedOrder;
    if (stored.cancelledAt !== order.cancelledAt) {
      yield sql`UPDATE "Order" SET "payload" = ${JSON.stringify({ ...stored, cancelledAt: order.cancelledAt })}, "cancelledAt" = ${cancelledAt}, "updatedAt" = ${now}
        WHERE "id" = ${orderRowId}`;
    }
  }
  if (input.staticPlan) return { duplicate: false, orderRowId, created: yield* insertPlanned(shop, orderRowId, input.plan([]), now) };
  const existing = (yield sql`SELECT "network", "kind", "status", "reason", "externalRef" FROM "Delivery" WHERE "shop" = ${shop} AND "orderId" = ${orderRowId}`).rows as unknown as ExistingDelivery[];
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

const DELIVERY_COLUMNS = `"id", "shop", "orderId", "network", "kind", "status", "reason", "payload", "attempts", "nextAttemptAt", "credentialsVersion", "completedAt", "createdAt", "updatedAt"`;

/**
 * A plan that does not depend on existing deliveries, in one statement: ON CONFLICT on the deliveries' unique key
 * skips what the order already has, and RETURNING says what was created (instead of reading the existing ones
 * first and inserting one row per statement).
 */
function* insertPlanned(shop: string, orderRowId: string, plan: PlannedDelivery[], now: Date): Work<PlannedDelivery[]> {
  const unique = [...new Map(plan.map((p) => [`${p.network} ${p.kind}`, p])).values()];
  if (!unique.length) return [];
  const params: unknown[] = [];
  const rows = unique.map((p) => {
    params.push(newId(), shop, orderRowId, p.network, p.kind, p.status, p.reason, p.payload ?? null, 0, now, p.credentialsVersion, p.status === "skipped" || p.status === "failed" ? now : null, now, now);
    return "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  });
  const { rows: inserted } = yield { sql: `INSERT INTO "Delivery" (${DELIVERY_COLUMNS}) VALUES ${rows.join(", ")} ON CONFLICT DO NOTHING RETURNING "network", "kind"`, params };
  const created = new Set(inserted.map((row) => `${String(row.network)} ${String(row.kind)}`));
  return unique.filter((p) => created.has(`${p.network} ${p.kind}`));
}

/**
 * Records an order and its planned deliveries. Idempotent: a repeated receipt changes nothing, and deliveries are
 * unique per (shop, order, network, kind), so the same order under a new event id makes no second delivery.
 */
export async function recordOrder(db: Db, input: RecordInput): Promise<RecordResult> {
  const now = input.now ?? new Date();
  const driver = driverFor(db);
  if (driver.kind === "postgresql" && input.staticPlan && input.receipt && !input.keepPayload) {
    return recordInGroup(driver, input, input.receipt, now);
  }
  return driver.transaction(() => recordWork(input, now));
}

/**
 * PostgreSQL, orders/paid: the receipt, the order and its deliveries in one statement (data-modifying CTEs run
 * as one atomic statement), one round trip instead of eight. Nothing is written past a duplicate receipt; the
 * order upsert and ON CONFLICT on the deliveries' unique key keep concurrent webhooks about one order apart.
 */
function* recordInOneStatement(input: RecordInput, receipt: { eventId: string; topic: string }, now: Date): Work<RecordResult> {
  const { shop, order } = input;
  const plan = input.plan([]);
  const params: unknown[] = [receipt.eventId, shop, receipt.topic, now];
  const p = (value: unknown, cast = "") => {
    params.push(value);
    return `$${params.length}${cast}`;
  };
  const orderValues = [
    p(newId()), p(shop), p(order.id), p(order.name), p(order.test, "::boolean"), p(JSON.stringify(order)), p(order.customer?.id ?? null),
    p(storedEmail(order)), p(input.paidAt ?? null, "::timestamp(3)"), p(order.cancelledAt ? new Date(order.cancelledAt) : null, "::timestamp(3)"),
    p(now, "::timestamp(3)"), p(now, "::timestamp(3)"),
  ].join(", ");
  const deliveryRows = plan.map((d) =>
    `(${[p(newId()), p(d.network), p(d.kind), p(d.status), p(d.reason), p(d.payload ?? null), p(d.credentialsVersion, "::int"),
      p(d.status === "skipped" || d.status === "failed" ? now : null, "::timestamp(3)")].join(", ")})`,
  );
  const text = `WITH "r" AS (
      INSERT INTO "WebhookReceipt" ("eventId", "shop", "topic", "receivedAt") VALUES ($1, $2, $3, $4::timestamp(3))
      ON CONFLICT DO NOTHING RETURNING 1),
    "o" AS (
      INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "test", "payload", "customerId", "customerEmail", "paidAt", "cancelledAt", "createdAt", "updatedAt")
      SELECT ${orderValues} WHERE EXISTS (SELECT 1 FROM "r")
      ON CONFLICT ("shop", "shopifyOrderId") DO UPDATE SET
        "name" = excluded."name", "test" = excluded."test",
        "payload" = CASE WHEN "Order"."redactedAt" IS NULL THEN excluded."payload" ELSE "Order"."payload" END,
        "customerId" = CASE WHEN "Order"."redactedAt" IS NULL THEN excluded."customerId" ELSE "Order"."customerId" END,
        "customerEmail" = CASE WHEN "Order"."redactedAt" IS NULL THEN excluded."customerEmail" ELSE "Order"."customerEmail" END,
        "paidAt" = COALESCE("Order"."paidAt", excluded."paidAt"), "cancelledAt" = excluded."cancelledAt", "updatedAt" = excluded."updatedAt"
      RETURNING "id")${
        deliveryRows.length
          ? `,
    "d" AS (
      INSERT INTO "Delivery" ("id", "shop", "orderId", "network", "kind", "status", "reason", "payload", "attempts", "nextAttemptAt", "credentialsVersion", "completedAt", "createdAt", "updatedAt")
      SELECT v."id", $2, "o"."id", v."network", v."kind", v."status", v."reason", v."payload", 0, $4::timestamp(3), v."credentialsVersion", v."completedAt", $4::timestamp(3), $4::timestamp(3)
      FROM "o", (VALUES ${deliveryRows.join(", ")}) AS v("id", "network", "kind", "status", "reason", "payload", "credentialsVersion", "completedAt")
      ON CONFLICT DO NOTHING RETURNING "network", "kind")`
          : ""
      }
    SELECT (SELECT "id" FROM "o") AS "orderId", ${deliveryRows.length ? `(SELECT string_agg("network" || ' ' || "kind", ',') FROM "d")` : "NULL"} AS "created"`;
  // "?" placeholders are the driver's convention; this statement numbers its own, so none may remain.
  const { rows } = yield { sql: text, params, numbered: true } as Stmt;
  const row = rows[0] ?? {};
  if (row.orderId === null || row.orderId === undefined) return { duplicate: true };
  const created = new Set(String(row.created ?? "").split(",").filter(Boolean));
  return { duplicate: false, orderRowId: String(row.orderId), created: plan.filter((d) => created.has(`${d.network} ${d.kind}`)) };
}

// PostgreSQL group commit for orders/paid. Measured through `npm start` (bench/ingest.bench.ts, serve), round trips
// were most of the cost per webhook on both sides of the connection; the webhooks whose bodies arrived in one
// event-loop turn are recorded by one statement (still atomic: one statement), their results told apart by row.
// Two webhooks about one order, or one event twice, never share a statement (an upsert cannot touch a row twice
// in one statement): the later waits for the next group. A group whose statement fails is recorded again one
// webhook at a time, so that a bad order fails only itself (nothing of a failed statement was written).
interface Grouped {
  input: RecordInput;
  receipt: { eventId: string; topic: string };
  now: Date;
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}
const MAX_PG_GROUP = 32;
const groups = new WeakMap<SqlDriver, { queue: Grouped[]; scheduled: boolean }>();

function recordInGroup(driver: SqlDriver, input: RecordInput, receipt: { eventId: string; topic: string }, now: Date): Promise<RecordResult> {
  let group = groups.get(driver);
  if (!group) groups.set(driver, (group = { queue: [], scheduled: false }));
  const state = group;
  return new Promise<RecordResult>((resolve, reject) => {
    state.queue.push({ input, receipt, now, resolve, reject });
    if (state.scheduled) return;
    state.scheduled = true;
    setImmediate(() => {
      state.scheduled = false;
      while (state.queue.length) void runGroup(driver, takeGroup(state.queue));
    });
  });
}

/** Up to MAX_PG_GROUP queued webhooks with no order or event in common, taken out of the queue. */
function takeGroup(queue: Grouped[]): Grouped[] {
  const taken: Grouped[] = [];
  const keys = new Set<string>();
  for (let i = 0; i < queue.length && taken.length < MAX_PG_GROUP; ) {
    const item = queue[i]!;
    const orderKey = `o\u0000${item.input.shop}\u0000${item.input.order.id}`;
    const eventKey = `e\u0000${item.input.shop}\u0000${item.receipt.topic}\u0000${item.receipt.eventId}`;
    if (keys.has(orderKey) || keys.has(eventKey)) {
      i++;
      continue;
    }
    keys.add(orderKey).add(eventKey);
    taken.push(item);
    queue.splice(i, 1);
  }
  return taken;
}

async function runGroup(driver: SqlDriver, items: Grouped[]): Promise<void> {
  if (items.length > 1) {
    try {
      const results = await driver.read(() => recordManyInOneStatement(items));
      items.forEach((item, i) => item.resolve(results[i]!));
      return;
    } catch {
      // One at a time below: each webhook gets its own answer (or its own error).
    }
  }
  await Promise.all(
    items.map((item) => driver.read(() => recordInOneStatement(item.input, item.receipt, item.now)).then(item.resolve, item.reject)),
  );
}

const ORDER_INPUT = `"i", "eventId", "shop", "topic", "receivedAt", "id", "shopifyOrderId", "name", "test", "payload", "customerId", "customerEmail", "paidAt", "cancelledAt"`;
const ORDER_CASTS = ["::int", "", "", "", "::timestamp(3)", "", "", "", "::boolean", "", "", "", "::timestamp(3)", "::timestamp(3)"];
const DELIVERY_INPUT = `"i", "id", "network", "kind", "status", "reason", "payload", "credentialsVersion", "completedAt"`;
const DELIVERY_CASTS = ["::int", "", "", "", "", "", "", "::int", "::timestamp(3)"];

/** recordInOneStatement for several webhooks: the same CTEs over a VALUES list, one result row per webhook. */
function* recordManyInOneStatement(items: Grouped[]): Work<RecordResult[]> {
  const params: unknown[] = [];
  const row = (values: unknown[], casts: string[]) =>
    `(${values
      .map((value, i) => {
        params.push(value);
        return `$${params.length}${casts[i]}`;
      })
      .join(", ")})`;
  const plans = items.map((item) => [...new Map(item.input.plan([]).map((d) => [`${d.network} ${d.kind}`, d])).values()]);
  const orderRows = items.map(({ input, receipt, now }, i) => {
    const { order } = input;
    return row(
      [i, receipt.eventId, input.shop, receipt.topic, now, newId(), order.id, order.name, order.test, JSON.stringify(order), order.customer?.id ?? null, storedEmail(order), input.paidAt ?? null, order.cancelledAt ? new Date(order.cancelledAt) : null],
      ORDER_CASTS,
    );
  });
  const deliveryRows = plans.flatMap((plan, i) =>
    plan.map((d) =>
      row([i, newId(), d.network, d.kind, d.status, d.reason, d.payload ?? null, d.credentialsVersion, d.status === "skipped" || d.status === "failed" ? items[i]!.now : null], DELIVERY_CASTS),
    ),
  );
  const text = `WITH "in" AS (SELECT * FROM (VALUES ${orderRows.join(", ")}) AS v(${ORDER_INPUT})),
    "r" AS (
      INSERT INTO "WebhookReceipt" ("eventId", "shop", "topic", "receivedAt") SELECT "eventId", "shop", "topic", "receivedAt" FROM "in"
      ON CONFLICT DO NOTHING RETURNING "eventId", "shop", "topic"),
    "o" AS (
      INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "test", "payload", "customerId", "customerEmail", "paidAt", "cancelledAt", "createdAt", "updatedAt")
      SELECT "in"."id", "in"."shop", "in"."shopifyOrderId", "in"."name", "in"."test", "in"."payload", "in"."customerId", "in"."customerEmail", "in"."paidAt", "in"."cancelledAt", "in"."receivedAt", "in"."receivedAt"
      FROM "in" JOIN "r" ON "r"."eventId" = "in"."eventId" AND "r"."shop" = "in"."shop" AND "r"."topic" = "in"."topic"
      ON CONFLICT ("shop", "shopifyOrderId") DO UPDATE SET
        "name" = excluded."name", "test" = excluded."test", "payload" = excluded."payload",
        "customerId" = excluded."customerId", "customerEmail" = excluded."customerEmail",
        "paidAt" = COALESCE("Order"."paidAt", excluded."paidAt"), "cancelledAt" = excluded."cancelledAt", "updatedAt" = excluded."updatedAt"
      RETURNING "id", "shop", "shopifyOrderId")${
        deliveryRows.length
          ? `,
    "dv" AS (SELECT * FROM (VALUES ${deliveryRows.join(", ")}) AS v(${DELIVERY_INPUT})),
    "d" AS (
      INSERT INTO "Delivery" (${DELIVERY_COLUMNS})
      SELECT "dv"."id", "in"."shop", "o"."id", "dv"."network", "dv"."kind", "dv"."status", "dv"."reason", "dv"."payload", 0, "in"."receivedAt", "dv"."credentialsVersion", "dv"."completedAt", "in"."receivedAt", "in"."receivedAt"
      FROM "dv" JOIN "in" ON "in"."i" = "dv"."i" JOIN "o" ON "o"."shop" = "in"."shop" AND "o"."shopifyOrderId" = "in"."shopifyOrderId"
      ON CONFLICT DO NOTHING RETURNING "orderId", "network", "kind")`
          : ""
      }
    SELECT "in"."i", "o"."id" AS "orderId", ${
      deliveryRows.length ? `(SELECT string_agg("d"."network" || ' ' || "d"."kind", ',') FROM "d" WHERE "d"."orderId" = "o"."id")` : "NULL"
    } AS "created"
    FROM "in" LEFT JOIN "o" ON "o"."shop" = "in"."shop" AND "o"."shopifyOrderId" = "in"."shopifyOrderId"`;
  const { rows } = yield { sql: text, params, numbered: true } as Stmt;
  const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
  return items.map((_, i) => {
    const result = byIndex.get(i);
    if (!result || result.orderId === null || result.orderId === undefined) return { duplicate: true };
    const created = new Set(String(result.created ?? "").split(",").filter(Boolean));
    return { duplicate: false, orderRowId: String(result.orderId), created: plans[i]!.filter((d) => created.has(`${d.network} ${d.kind}`)) };
  });
}

/** The recorded order's row id and normalized payload, or null. */
export async function findRecordedOrder(db: Db, shop: string, shopifyOrderId: string): Promise<{ id: string; order: NormalizedOrder } | null> {
  return driverFor(db).read(function* () {
    const { rows } = yield sql`SELECT "id", "payload" FROM "Order" WHERE "shop" = ${shop} AND "shopifyOrderId" = ${shopifyOrderId}`;
    const row = rows[0];
    return row ? { id: String(row.id), order: JSON.parse(String(row.payload)) as NormalizedOrder } : null;
  });
}

// The durable outbox: an order and its deliveries are written in one transaction, together with the webhook
// receipt that brought them, so that a webhook is either fully recorded or not at all.
import type { Db } from "../db/client.server.ts";
import type { NormalizedOrder } from "../orders/model.ts";
import type { PlannedDelivery } from "./plan.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

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
  /** Set when the order is known to be paid (orders/paid, reconciliation). */
  paidAt?: Date;
  /** Deliveries to create, decided against the order's existing deliveries (inside the transaction). */
  plan: (existing: ExistingDelivery[]) => PlannedDelivery[];
  /** Whether an existing order row keeps its stored payload (a refund only refers to the order). */
  keepPayload?: boolean;
  now?: Date;
}

export type RecordResult = { duplicate: true } | { duplicate: false; orderRowId: string; created: PlannedDelivery[] };

class DuplicateReceipt extends Error {}

export function isUniqueViolation(error: unknown, target?: string): boolean {
  const e = error as { code?: string; meta?: { target?: unknown; modelName?: string }; message?: string } | null;
  if (e?.code !== "P2002") return false;
  if (!target) return true;
  return JSON.stringify(e.meta ?? {}).includes(target) || (e.message ?? "").includes(target);
}

function orderColumns(order: NormalizedOrder) {
  return {
    name: order.name,
    test: order.test,
    payload: JSON.stringify(order),
    customerId: order.customer?.id ?? null,
    customerEmail: order.customer?.email ?? null,
    cancelledAt: order.cancelledAt ? new Date(order.cancelledAt) : null,
  };
}

async function recordIn(tx: Tx, input: RecordInput): Promise<RecordResult> {
  const now = input.now ?? new Date();
  if (input.receipt) {
    try {
      await tx.webhookReceipt.create({ data: { eventId: input.receipt.eventId, shop: input.shop, topic: input.receipt.topic, receivedAt: now } });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateReceipt();
      throw error;
    }
  }
  const columns = orderColumns(input.order);
  // The upsert locks the order's row, so two webhooks about one order (PostgreSQL, READ COMMITTED) take turns
  // and the second sees the first one's deliveries below.
  const row = await tx.order.upsert({
    where: { shop_shopifyOrderId: { shop: input.shop, shopifyOrderId: input.order.id } },
    create: { shop: input.shop, shopifyOrderId: input.order.id, ...columns, paidAt: input.paidAt ?? null },
    update: input.keepPayload
      ? { updatedAt: now }
      : { ...columns, ...(input.paidAt ? { paidAt: input.paidAt } : {}) },
    select: { id: true },
  });
  const existing = await tx.delivery.findMany({
    where: { orderId: row.id },
    select: { network: true, kind: true, status: true, reason: true },
  });
  const taken = new Set(existing.map((d) => `${d.network}\u0000${d.kind}`));
  const created = input.plan(existing).filter((p) => !taken.has(`${p.network}\u0000${p.kind}`));
  if (created.length) {
    await tx.delivery.createMany({
      data: created.map((p) => ({
        shop: input.shop,
        orderId: row.id,
        network: p.network,
        kind: p.kind,
        status: p.status,
        reason: p.reason,
        payload: p.payload ?? null,
        credentialsVersion: p.credentialsVersion,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
        ...(p.status === "skipped" || p.status === "failed" ? { completedAt: now } : {}),
      })),
    });
  }
  return { duplicate: false, orderRowId: row.id, created };
}

/**
 * Records an order and its planned deliveries. Idempotent: a repeated receipt changes nothing, and deliveries are
 * unique per (shop, order, network, kind), so the same order under a new event id makes no second delivery.
 */
export async function recordOrder(db: Db, input: RecordInput): Promise<RecordResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction((tx) => recordIn(tx, input), { maxWait: 10_000, timeout: 15_000 });
    } catch (error) {
      if (error instanceof DuplicateReceipt) return { duplicate: true };
      // Two first-time webhooks about one new order raced on PostgreSQL: the loser's insert collided. Run again;
      // it now sees the winner's rows.
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

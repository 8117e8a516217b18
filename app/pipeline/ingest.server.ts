// Webhook ingestion: turns a verified Shopify webhook into rows in the outbox. Everything that can be worked out
// before the transaction (parsing, settings, mapping decisions) is, so the transaction stays short. No network
// is ever called from here.
import { invalidateOrderDay, mayTouchSettledDay } from "../admin/accuracy-days.server.ts";
import type { Db } from "../db/client.server.ts";
import { OrderPayloadError, orderFromShopify, refundFromShopify } from "../orders/from-shopify.ts";
import { CANCELLATION, CONVERSION } from "./model.ts";
import { findRecordedOrder, recordOrder } from "./outbox.server.ts";
import { planConversions, planReversals } from "./plan.ts";
import { cachedShopConfig } from "./settings-cache.server.ts";

export interface WebhookInput {
  shop: string;
  /** X-Shopify-Event-Id: the same for every retry of one event. */
  eventId: string;
  payload: unknown;
  /** X-Shopify-Triggered-At, when Shopify sent it. */
  triggeredAt?: Date | null;
  now?: Date;
}

export type IngestOutcome =
  | { kind: "recorded"; orderRowId: string; deliveries: number }
  | { kind: "duplicate" }
  /** Not an order (or refund) this app can read: nothing was written. */
  | { kind: "invalid"; message: string }
  /** A refund for an order not recorded yet; `retry` asks Shopify to send it again later. */
  | { kind: "order_unknown"; retry: boolean; message: string };

/** How long a refund may wait for its order's own webhook (or reconciliation) before it is given up on. */
export const REFUND_ORDER_GRACE_MS = 6 * 60 * 60 * 1000;

function parse<T>(convert: () => T): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return { ok: true, value: convert() };
  } catch (error) {
    if (error instanceof OrderPayloadError) return { ok: false, message: error.message };
    throw error;
  }
}

/** orders/paid: the order and one conversion per enabled network. */
export async function ingestPaidOrder(db: Db, input: WebhookInput): Promise<IngestOutcome> {
  const parsed = parse(() => orderFromShopify(input.payload));
  if (!parsed.ok) return { kind: "invalid", message: parsed.message };
  const order = parsed.value;
  const now = input.now ?? new Date();
  const config = await cachedShopConfig(db, input.shop);
  const plan = planConversions(order, config);
  const result = await recordOrder(db, {
    shop: input.shop,
    order,
    receipt: { eventId: input.eventId, topic: "orders/paid" },
    paidAt: now,
    plan: () => plan,
    staticPlan: true,
    now,
  });
  // An order created days ago may have been recorded as paid then: this can give it conversions its settled day's
  // accuracy never counted (app/admin/accuracy-days.server.ts). Never the case for a fresh order: no statement more.
  if (!result.duplicate && mayTouchSettledDay(order.createdAt, now)) await invalidateOrderDay(db, input.shop, order.id, now);
  return result.duplicate ? { kind: "duplicate" } : { kind: "recorded", orderRowId: result.orderRowId, deliveries: result.created.length };
}

/**
 * orders/cancelled: one cancellation per enabled network, after that network's conversion. The payload is read as
 * paid (a refund with restock leaves every current quantity at 0): a recorded order keeps what it was reported
 * with, and one not recorded yet is recorded as it was paid, so the reversal covers everything.
 */
export async function ingestCancelledOrder(db: Db, input: WebhookInput): Promise<IngestOutcome> {
  const parsed = parse(() => orderFromShopify(input.payload, { figures: "asPaid" }));
  if (!parsed.ok) return { kind: "invalid", message: parsed.message };
  const order = parsed.value;
  const config = await cachedShopConfig(db, input.shop);
  const result = await recordOrder(db, {
    shop: input.shop,
    order,
    receipt: { eventId: input.eventId, topic: "orders/cancelled" },
    cancelOnly: true,
    plan: (existing) => planReversals(config, order, { kind: CANCELLATION }, existing.filter((d) => d.kind === CONVERSION)),
    now: input.now,
  });
  return result.duplicate ? { kind: "duplicate" } : { kind: "recorded", orderRowId: result.orderRowId, deliveries: result.created.length };
}

/** refunds/create: one refund adjustment per enabled network, read against the recorded order. */
export async function ingestRefund(db: Db, input: WebhookInput): Promise<IngestOutcome> {
  const orderId = refundOrderId(input.payload);
  if (!orderId) return { kind: "invalid", message: "not a Shopify refund: order_id is missing" };
  const row = await findRecordedOrder(db, input.shop, orderId);
  const now = input.now ?? new Date();
  if (!row) {
    // Shopify does not promise order between topics: the order's own webhook (or reconciliation) may still
    // come. Ask for a retry for a while; after that, acknowledge so the subscription stays healthy.
    const age = input.triggeredAt ? now.getTime() - input.triggeredAt.getTime() : Infinity;
    const retry = age < REFUND_ORDER_GRACE_MS;
    return {
      kind: "order_unknown",
      retry,
      message: retry
        ? `order ${orderId} is not recorded yet; Shopify will send this refund again`
        : `order ${orderId} was never recorded (placed before the app was installed?): the refund is not reported`,
    };
  }
  const order = row.order;
  const parsed = parse(() => refundFromShopify(input.payload, order));
  if (!parsed.ok) return { kind: "invalid", message: parsed.message };
  const refund = parsed.value;
  const config = await cachedShopConfig(db, input.shop);
  const result = await recordOrder(db, {
    shop: input.shop,
    order,
    keepPayload: true,
    receipt: { eventId: input.eventId, topic: "refunds/create" },
    plan: (existing) => planReversals(config, order, { kind: "refund", refund }, existing.filter((d) => d.kind === CONVERSION)),
    now,
  });
  return result.duplicate ? { kind: "duplicate" } : { kind: "recorded", orderRowId: result.orderRowId, deliveries: result.created.length };
}

function refundOrderId(payload: unknown): string | null {
  if (typeof payload !== "object" || payload === null) return null;
  const value = (payload as { order_id?: unknown }).order_id;
  // A number beyond 2^53 was already changed by whatever parsed it: it names some other order.
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  return typeof value === "string" && /^\d{1,20}$/.test(value) ? BigInt(value).toString() : null;
}

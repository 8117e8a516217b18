// Retrack reversals change the transaction created for the order, found by the uuid its create call returned:
// a cancellation (or a refund of everything) rejects it, a partial refund updates it to what the shopper kept.
import type { PricedLine, PricedOrder, PricedRefund } from "../../orders/model.ts";
import { skip } from "../shared/skip.ts";
import type { Decision, MappingContext } from "../types.ts";
import { retrackClick } from "./attribution.ts";
import { retrackTransactionUrl } from "./endpoints.ts";
import { retrackPost } from "./request.ts";
import type { RetrackSettings } from "./settings.ts";
import { retrackTransaction } from "./transaction.ts";

const NO_UUID =
  "Retrack has no transaction for this order yet (no uuid saved from a successful conversion), so there is nothing to reverse";

function precheck(order: PricedOrder, ctx: MappingContext): Decision | { uuid: string } {
  const click = retrackClick(order);
  if (!click.found) return skip(click.reason);
  if (!ctx.externalRef) return skip(NO_UUID);
  return { uuid: ctx.externalRef };
}

function reject(uuid: string, settings: RetrackSettings): Decision {
  return { action: "send", request: retrackPost(retrackTransactionUrl(uuid), settings, { status: "rejected" }) };
}

export function mapRetrackCancellation(order: PricedOrder, settings: RetrackSettings, ctx: MappingContext): Decision {
  const checked = precheck(order, ctx);
  if ("action" in checked) return checked;
  return reject(checked.uuid, settings);
}

/** The order as it stands after the refunds, from Shopify's refund figures for each line. */
export function remainingAfterRefunds(order: PricedOrder, refunds: PricedRefund[]): PricedOrder {
  const refunded = new Map<string, { quantity: number; subtotal: number; tax: number }>();
  for (const line of refunds.flatMap((refund) => refund.lines)) {
    const total = refunded.get(line.lineId) ?? { quantity: 0, subtotal: 0, tax: 0 };
    refunded.set(line.lineId, { quantity: total.quantity + line.quantity, subtotal: total.subtotal + line.subtotal, tax: total.tax + line.tax });
  }
  const lines: PricedLine[] = order.lines.map((line) => {
    const back = refunded.get(line.id);
    if (!back) return line;
    const quantity = Math.max(0, line.quantity - back.quantity);
    if (quantity === 0) return { ...line, quantity: 0, discount: 0, tax: 0 };
    // The refunded units' share of the line's discount is their list price minus what was paid back for them.
    const refundedDiscount = Math.max(0, Math.min(line.discount, back.quantity * line.unitPrice - back.subtotal));
    const discount = Math.min(line.discount - refundedDiscount, quantity * line.unitPrice);
    return { ...line, quantity, discount, tax: Math.max(0, line.tax - back.tax) };
  });
  return { ...order, lines };
}

export function mapRetrackRefund(order: PricedOrder, refund: PricedRefund, settings: RetrackSettings, ctx: MappingContext): Decision {
  const checked = precheck(order, ctx);
  if ("action" in checked) return checked;
  if (!refund.lines.some((line) => line.quantity > 0)) {
    return skip("this refund returns no items (an amount or shipping only), so Retrack's goods total does not change");
  }
  // Retrack stores the transaction's absolute state: take away every refund so far, not only this one.
  const refunds = ctx.refundsSoFar?.some((known) => known.id === refund.id) ? ctx.refundsSoFar : [...(ctx.refundsSoFar ?? []), refund];
  const remaining = remainingAfterRefunds(order, refunds);
  if (remaining.lines.every((line) => line.quantity === 0)) return reject(checked.uuid, settings);
  const click = retrackClick(order);
  if (!click.found) return skip(click.reason);
  const body = retrackTransaction(remaining, settings, click.value);
  return { action: "send", request: retrackPost(retrackTransactionUrl(checked.uuid), settings, body) };
}

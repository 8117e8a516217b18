// Refersion reverses per item: a cancellation cancels every item, a refund only the items it returns.
import { minorToMajorNumber } from "../../money/currency.ts";
import type { PricedOrder, PricedRefund } from "../../orders/model.ts";
import { skip } from "../shared/skip.ts";
import type { Decision, MappingContext } from "../types.ts";
import { refersionCancelUrl } from "./endpoints.ts";
import { refersionPost } from "./request.ts";
import type { RefersionSettings } from "./settings.ts";

type CancelItem = { sku: string; price: number; quantity: number };

function cancelRequest(order: PricedOrder, settings: RefersionSettings, items: CancelItem[]): Decision {
  return { action: "send", request: refersionPost(refersionCancelUrl(), settings, { order_id: order.reference, items }) };
}

export function mapRefersionCancellation(order: PricedOrder, settings: RefersionSettings, _ctx: MappingContext): Decision {
  const items = order.lines
    .filter((line) => line.quantity > 0)
    .map((line) => ({ sku: line.sku, price: minorToMajorNumber(line.unitPrice, order.exponent), quantity: line.quantity }));
  return cancelRequest(order, settings, items);
}

export function mapRefersionRefund(order: PricedOrder, refund: PricedRefund, settings: RefersionSettings, _ctx: MappingContext): Decision {
  const refunded = new Map<string, number>();
  for (const line of refund.lines) refunded.set(line.lineId, (refunded.get(line.lineId) ?? 0) + line.quantity);
  const items: CancelItem[] = [];
  for (const line of order.lines) {
    const quantity = Math.min(refunded.get(line.id) ?? 0, line.quantity);
    if (quantity > 0) items.push({ sku: line.sku, price: minorToMajorNumber(line.unitPrice, order.exponent), quantity });
  }
  if (items.length === 0) {
    return skip("this refund returns no items of the order (an amount or shipping only); Refersion cancels conversions per item");
  }
  return cancelRequest(order, settings, items);
}

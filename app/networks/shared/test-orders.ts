import type { PricedOrder } from "../../orders/model.ts";
import type { Decision, MappingContext } from "../types.ts";

/** Shopify test orders go nowhere unless the merchant asked for them. */
export function testOrderSkip(order: Pick<PricedOrder, "test">, ctx: MappingContext, label: string): Decision | null {
  if (!order.test || ctx.sendTestOrders) return null;
  return { action: "skip", reason: `test order: not sent to ${label} because "send test orders" is off in the settings` };
}

export function skip(reason: string): Decision {
  return { action: "skip", reason };
}

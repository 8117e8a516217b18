// What one network should do for one Shopify event: the single place that turns (topic, order, settings) into a
// Decision, shared by the delivery pipeline and `affiliate-relay preview`.
import type { PricedOrder, PricedRefund } from "../orders/model.ts";
import type { AnyNetworkDefinition } from "./registry.ts";
import type { Decision, MappingContext } from "./types.ts";

export const topics = ["orders/paid", "orders/cancelled", "refunds/create"] as const;
export type OrderTopic = (typeof topics)[number];

export function isOrderTopic(value: string): value is OrderTopic {
  return (topics as readonly string[]).includes(value);
}

/** `settings` must already have passed the network's settingsSchema. */
export function decideDelivery(
  network: AnyNetworkDefinition,
  settings: { enabled: boolean } & Record<string, unknown>,
  topic: OrderTopic,
  order: PricedOrder,
  refund: PricedRefund | null,
  ctx: MappingContext,
): Decision {
  if (!settings.enabled) return { action: "skip", reason: `${network.label} is switched off in the settings` };
  if (topic === "orders/paid") return network.mapConversion(order, settings, ctx);
  if (!network.reversal.supported) return { action: "skip", reason: network.reversal.reason };
  if (topic === "orders/cancelled") return network.mapCancellation(order, settings, ctx);
  if (!refund) throw new Error("a refunds/create decision needs the refund");
  return network.mapRefund(order, refund, settings, ctx);
}

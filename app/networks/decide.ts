// The one place that decides what a network gets for an order or a reversal: send (and what), skip (and why),
// wait for the conversion, or pause on rejected keys. Ingest (app/pipeline/plan.ts), the worker
// (app/pipeline/deliver.server.ts) and `affiliate-relay preview` (app/cli/commands/preview.ts) all call
// decideDelivery, so the shared rules and their reasons are written here once; a network's own rules (its click,
// its fields) are in its folder's mappers, which this calls last.
import type { CurrencyMode, NormalizedOrder, NormalizedRefund } from "../orders/model.ts";
import { priceOrder, priceRefund, pricingProblem } from "../orders/price.ts";
import type { AnyNetworkDefinition } from "./registry.ts";
import type { NetworkRequest } from "./types.ts";

export const topics = ["orders/paid", "orders/cancelled", "refunds/create"] as const;
export type OrderTopic = (typeof topics)[number];

export function isOrderTopic(value: string): value is OrderTopic {
  return (topics as readonly string[]).includes(value);
}

/** Which rule skipped: ingest plans no delivery at all for a network that is switched off. */
export type SkipRule = "switched_off" | "reversal_unsupported" | "nothing_to_reverse" | "test_order" | "unpriceable" | "network";

export type DeliveryDecision =
  | { action: "send"; request: NetworkRequest }
  | { action: "skip"; rule: SkipRule; reason: string }
  /** A reversal whose conversion has not settled yet. */
  | { action: "wait"; reason: string }
  /** Sendable, but the network rejected the shop's keys: held until they change. */
  | { action: "pause"; reason: string };

/** Where the conversion a reversal follows stands. */
export type ConversionStanding =
  | { state: "sent"; externalRef: string | null }
  | { state: "skipped"; reason: string | null }
  /** On its way (pending, in flight, retrying, paused, failed for now) or not recorded yet. */
  | { state: "unsettled" };

export type DeliveryEvent =
  | { kind: "conversion"; externalRef?: string | null }
  | { kind: "cancellation"; conversion: ConversionStanding }
  /** `refundsSoFar`: every refund recorded for the order, this one included where known (MappingContext). */
  | { kind: "refund"; refund: NormalizedRefund; refundsSoFar?: NormalizedRefund[]; conversion: ConversionStanding };

export interface DecisionInput {
  network: AnyNetworkDefinition;
  /** The shop's block for this network, already validated by its settingsSchema; null where the shop has none. */
  settings: ({ enabled: boolean } & Record<string, unknown>) | null;
  /** The network answered 401/403 to these keys (app/settings/store.server.ts credentialsStatus "rejected"). */
  keysRejected: boolean;
  sendTestOrders: boolean;
  currencyMode: CurrencyMode;
  order: NormalizedOrder;
  event: DeliveryEvent;
}

export const KEYS_REJECTED = "the network rejected the keys: update them in the settings and these deliveries resume";
export const WAITING_FOR_CONVERSION = "waiting for the conversion to be delivered first";

/**
 * A reversal whose conversion was skipped. In three parts so that SQL which writes it for rows it does not read
 * (app/pipeline/release-waiting.server.ts) takes the parts as parameters: `before || reason || after`.
 */
export const NOTHING_TO_REVERSE = { before: "the order was never sent (", unknownReason: "skipped", after: "), so there is nothing to reverse" } as const;

export function nothingToReverse(conversionReason: string | null): string {
  return `${NOTHING_TO_REVERSE.before}${conversionReason ?? NOTHING_TO_REVERSE.unknownReason}${NOTHING_TO_REVERSE.after}`;
}

const skip = (rule: SkipRule, reason: string): DeliveryDecision => ({ action: "skip", rule, reason });

/**
 * The rules, in order: switched off; no reversals at this network; the conversion never sent (nothing to reverse);
 * amounts unknown in the chosen currency (before waiting, which cannot change them); the conversion not settled
 * (wait); a test order the merchant does not send; then the network's own mapping; and a request that would go out
 * waits while the network rejects the keys. Throws where the order cannot be mapped
 * (callers record that as a failure). Pure: no database, no network, no clock.
 */
export function decideDelivery(input: DecisionInput): DeliveryDecision {
  const { network, settings, event } = input;
  if (!settings?.enabled) return skip("switched_off", `${network.label} is switched off in the settings`);
  if (event.kind !== "conversion") {
    if (!network.reversal.supported) return skip("reversal_unsupported", network.reversal.reason);
    if (event.conversion.state === "skipped") return skip("nothing_to_reverse", nothingToReverse(event.conversion.reason));
  }
  // Shopify left out amounts the currency setting needs (app/orders/price.ts): nothing can be reported in it, and the
  // merchant reads why rather than a guessed amount.
  const unpriceable =
    pricingProblem(input.order, input.order.currencies, input.currencyMode) ??
    (event.kind === "refund" ? pricingProblem(event.refund, input.order.currencies, input.currencyMode, `refund ${event.refund.id}`) : null);
  if (unpriceable) return skip("unpriceable", unpriceable);
  if (event.kind !== "conversion" && event.conversion.state === "unsettled") return { action: "wait", reason: WAITING_FOR_CONVERSION };
  if (input.order.test && !input.sendTestOrders) {
    return skip("test_order", `test order: not sent to ${network.label} because "send test orders" is off in the settings`);
  }
  const order = priceOrder(input.order, input.currencyMode);
  const externalRef = event.kind === "conversion" ? (event.externalRef ?? null) : event.conversion.state === "sent" ? event.conversion.externalRef : null;
  const ctx = { sendTestOrders: input.sendTestOrders, externalRef };
  const priceAll = (refunds: NormalizedRefund[]) => refunds.map((refund) => priceRefund(refund, input.order, input.currencyMode));
  const mapped =
    event.kind === "conversion"
      ? network.mapConversion(order, settings, ctx)
      : event.kind === "cancellation"
        ? network.mapCancellation(order, settings, ctx)
        : network.mapRefund(order, priceAll([event.refund])[0]!, settings, { ...ctx, ...(event.refundsSoFar ? { refundsSoFar: priceAll(event.refundsSoFar) } : {}) });
  if (mapped.action === "skip") return skip("network", mapped.reason);
  if (input.keysRejected) return { action: "pause", reason: KEYS_REJECTED };
  return mapped;
}

/** What preview takes the conversion to have become: sent as decided (no reference known), or skipped. */
export function conversionAsDecided(decision: DeliveryDecision): ConversionStanding {
  if (decision.action === "send") return { state: "sent", externalRef: null };
  if (decision.action === "skip") return { state: "skipped", reason: decision.reason };
  return { state: "unsettled" };
}

import { orderFromShopify, refundFromShopify } from "../../app/orders/from-shopify.ts";
import type { CurrencyMode, PricedOrder, PricedRefund } from "../../app/orders/model.ts";
import { priceOrder, priceRefund } from "../../app/orders/price.ts";
import { decideDelivery, type DeliveryDecision, type DeliveryEvent } from "../../app/networks/decide.ts";
import type { AnyNetworkDefinition } from "../../app/networks/registry.ts";
import type { Decision, NetworkRequest } from "../../app/networks/types.ts";

export function priced(payload: unknown, mode: CurrencyMode = "shop"): PricedOrder {
  return priceOrder(orderFromShopify(payload), mode);
}

export function pricedRefund(orderPayload: unknown, refundPayload: unknown, mode: CurrencyMode = "shop"): { order: PricedOrder; refund: PricedRefund } {
  const order = orderFromShopify(orderPayload);
  return { order: priceOrder(order, mode), refund: priceRefund(refundFromShopify(refundPayload, order), order, mode) };
}

export function sent(decision: Decision | DeliveryDecision): NetworkRequest {
  if (decision.action !== "send") throw new Error(`expected a send, got a ${decision.action}: ${decision.reason}`);
  return decision.request;
}

export function skipped(decision: Decision | DeliveryDecision): string {
  if (decision.action !== "skip") throw new Error(`expected a skip, got ${decision.action === "send" ? `a send to ${decision.request.url}` : `a ${decision.action}`}`);
  return decision.reason;
}

/** What app/networks/decide.ts decides for a Shopify order payload (shop currency, test orders off unless asked). */
export function decided(
  network: { id: string },
  settings: { enabled: boolean },
  payload: unknown,
  options: { event?: DeliveryEvent; sendTestOrders?: boolean; refundPayload?: unknown } = {},
): DeliveryDecision {
  const order = orderFromShopify(payload);
  const conversion = { state: "sent", externalRef: null } as const;
  const event: DeliveryEvent =
    options.event ?? (options.refundPayload === undefined ? { kind: "conversion" } : { kind: "refund", refund: refundFromShopify(options.refundPayload, order), conversion });
  return decideDelivery({
    network: network as AnyNetworkDefinition,
    settings: settings as { enabled: boolean } & Record<string, unknown>,
    keysRejected: false,
    sendTestOrders: options.sendTestOrders ?? false,
    currencyMode: "shop",
    order,
    event,
  });
}

export const ctx = { sendTestOrders: false } as const;

import { classifyAttempt, sendNetworkRequest, type SendResult } from "../../app/networks/http.ts";
import type { Classification, NetworkDefinition } from "../../app/networks/types.ts";

/** Sends a request the way the worker does and classifies the outcome. */
export async function deliver(
  network: Pick<NetworkDefinition, "classify" | "reconsider">,
  request: NetworkRequest,
  timeoutMs = 2_000,
): Promise<{ result: SendResult; classification: Classification }> {
  const result = await sendNetworkRequest(request, { timeoutMs });
  const classification = await classifyAttempt(network, request, result, { timeoutMs });
  return { result, classification };
}

// What a recorded order means for each connected network, decided when the order arrives: one delivery per
// enabled network, pending, or skipped, waiting or paused with a reason the merchant can read. The decision is
// app/networks/decide.ts's, the same one the worker and `preview` take. Pure: no database, no network.
import { decideDelivery, type ConversionStanding, type DeliveryDecision, type DeliveryEvent } from "../networks/decide.ts";
import type { AnyNetworkDefinition } from "../networks/registry.ts";
import type { NormalizedOrder, NormalizedRefund } from "../orders/model.ts";
import type { ShopConfig } from "../settings/store.server.ts";
import { CONVERSION, refundKind, type DeliveryKind, type DeliveryStatus } from "./model.ts";

export interface PlannedDelivery {
  network: string;
  kind: DeliveryKind;
  status: Extract<DeliveryStatus, "pending" | "skipped" | "paused" | "failed" | "waiting">;
  reason: string | null;
  credentialsVersion: number | null;
  /** Kind-specific input stored beside the order (the normalized refund). */
  payload?: string | null;
}

export function describeError(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 500);
}

/** The decision for one network, with the shop's settings for it as they stand in `config` (none: switched off). */
export function decideForShop(config: ShopConfig | null, network: AnyNetworkDefinition, order: NormalizedOrder, event: DeliveryEvent): DeliveryDecision {
  const connected = config?.networks.find((n) => n.definition.id === network.id);
  return decideDelivery({
    network,
    settings: connected?.settings ?? null,
    keysRejected: connected?.credentialsStatus === "rejected",
    sendTestOrders: config?.sendTestOrders ?? false,
    currencyMode: config?.currencyMode ?? "shop",
    order,
    event,
  });
}

/** A delivery row of the conversion a reversal follows. */
export interface ConversionState {
  network: string;
  status: string;
  reason: string | null;
  externalRef?: string | null;
}

export function conversionStanding(conversion: Omit<ConversionState, "network"> | undefined): ConversionStanding {
  if (conversion?.status === "succeeded") return { state: "sent", externalRef: conversion.externalRef ?? null };
  if (conversion?.status === "skipped") return { state: "skipped", reason: conversion.reason };
  return { state: "unsettled" };
}

type Base = Pick<PlannedDelivery, "network" | "kind" | "credentialsVersion" | "payload">;

function planned(base: Base, decision: DeliveryDecision): PlannedDelivery {
  switch (decision.action) {
    case "send":
      return { ...base, status: "pending", reason: null };
    case "skip":
      return { ...base, status: "skipped", reason: decision.reason };
    case "wait":
      return { ...base, status: "waiting", reason: decision.reason };
    case "pause":
      return { ...base, status: "paused", reason: decision.reason };
  }
}

function plan(config: ShopConfig, order: NormalizedOrder, base: (network: string) => Base, event: (network: string) => DeliveryEvent, only?: string): PlannedDelivery[] {
  const out: PlannedDelivery[] = [];
  for (const connected of config.networks) {
    const network = connected.definition.id;
    if (only && network !== only) continue;
    const row = { ...base(network), credentialsVersion: connected.credentialsVersion };
    try {
      const decision = decideForShop(config, connected.definition, order, event(network));
      // Ingest records nothing for a network that is off; the worker skips what was queued before it went off.
      if (decision.action === "skip" && decision.rule === "switched_off") continue;
      out.push(planned(row, decision));
    } catch (error) {
      // A mapping defect for one network must not hold up the others; the merchant sees it and can replay.
      out.push({ ...row, status: "failed", reason: `could not prepare the request: ${describeError(error)}` });
    }
  }
  return out;
}

/** One conversion per enabled network (or all connected networks, for backfill: `only`). */
export function planConversions(order: NormalizedOrder, config: ShopConfig | null, only?: string): PlannedDelivery[] {
  if (!config) return [];
  return plan(config, order, (network) => ({ network, kind: CONVERSION, credentialsVersion: null }), () => ({ kind: CONVERSION }), only);
}

export type Reversal = { kind: "cancellation" } | { kind: "refund"; refund: NormalizedRefund };

/**
 * A cancellation or refund for each enabled network: sent only after the conversion it reverses succeeded, so it
 * waits for a conversion still on its way and is skipped where the conversion never was sent.
 */
export function planReversals(config: ShopConfig | null, order: NormalizedOrder, reversal: Reversal, conversions: ConversionState[]): PlannedDelivery[] {
  if (!config) return [];
  const kind = reversal.kind === "refund" ? refundKind(reversal.refund.id) : reversal.kind;
  const payload = reversal.kind === "refund" ? JSON.stringify(reversal.refund) : null;
  const event = (network: string): DeliveryEvent => {
    const conversion = conversionStanding(conversions.find((c) => c.network === network));
    return reversal.kind === "refund" ? { kind: "refund", refund: reversal.refund, conversion } : { kind: "cancellation", conversion };
  };
  return plan(config, order, (network) => ({ network, kind, credentialsVersion: null, payload }), event);
}

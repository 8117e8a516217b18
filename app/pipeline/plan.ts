// What a recorded order means for each connected network, decided when the order arrives: one delivery per
// enabled network, pending or skipped with a reason the merchant can read. Pure: no database, no network.
import { UnpriceableOrderError } from "../orders/errors.ts";
import type { NormalizedOrder } from "../orders/model.ts";
import { priceOrder } from "../orders/price.ts";
import type { ConnectedNetwork, ShopConfig } from "../settings/store.server.ts";
import { CONVERSION, WAITING_FOR_CONVERSION, type DeliveryKind, type DeliveryStatus } from "./model.ts";

export interface PlannedDelivery {
  network: string;
  kind: DeliveryKind;
  status: Extract<DeliveryStatus, "pending" | "skipped" | "paused" | "failed" | "waiting">;
  reason: string | null;
  credentialsVersion: number | null;
  /** Kind-specific input stored beside the order (the normalized refund). */
  payload?: string | null;
}

export const KEYS_REJECTED = "the network rejected the keys: update them in the settings and these deliveries resume";

export function describeError(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 500);
}

/** One conversion per enabled network (or all connected networks, for backfill: `only`). */
export function planConversions(order: NormalizedOrder, config: ShopConfig | null, only?: string): PlannedDelivery[] {
  if (!config) return [];
  const planned: PlannedDelivery[] = [];
  let priced: ReturnType<typeof priceOrder> | undefined;
  for (const connected of config.networks) {
    if (!connected.enabled || (only && connected.definition.id !== only)) continue;
    const base = { network: connected.definition.id, kind: CONVERSION, credentialsVersion: connected.credentialsVersion };
    try {
      priced ??= priceOrder(order, config.currencyMode);
      const decision = connected.definition.mapConversion(priced, connected.settings, { sendTestOrders: config.sendTestOrders });
      if (decision.action === "skip") planned.push({ ...base, status: "skipped", reason: decision.reason });
      else planned.push({ ...base, ...sendableStatus(connected) });
    } catch (error) {
      // Shopify left out amounts the currency setting needs: nothing to report in it, and the merchant sees why.
      if (error instanceof UnpriceableOrderError) planned.push({ ...base, status: "skipped", reason: describeError(error) });
      // A mapping defect for one network must not hold up the others; the merchant sees it and can replay.
      else planned.push({ ...base, status: "failed", reason: `could not prepare the request: ${describeError(error)}` });
    }
  }
  return planned;
}

function sendableStatus(connected: ConnectedNetwork): Pick<PlannedDelivery, "status" | "reason"> {
  return connected.credentialsStatus === "rejected" ? { status: "paused", reason: KEYS_REJECTED } : { status: "pending", reason: null };
}

export interface ConversionState {
  network: string;
  status: string;
  reason: string | null;
}

/**
 * A cancellation or refund for each enabled network: sent only after the conversion it reverses succeeded, so it
 * waits for a conversion still on its way and is skipped where the conversion never was sent.
 */
export function planReversals(
  config: ShopConfig | null,
  kind: DeliveryKind,
  conversions: ConversionState[],
  payload: string | null = null,
): PlannedDelivery[] {
  if (!config) return [];
  const planned: PlannedDelivery[] = [];
  for (const connected of config.networks) {
    if (!connected.enabled) continue;
    const network = connected.definition.id;
    const base = { network, kind, credentialsVersion: connected.credentialsVersion, payload };
    const reversal = connected.definition.reversal;
    if (!reversal.supported) {
      planned.push({ ...base, status: "skipped", reason: reversal.reason });
      continue;
    }
    const conversion = conversions.find((c) => c.network === network);
    if (conversion?.status === "skipped") {
      planned.push({ ...base, status: "skipped", reason: `the order was never sent to ${connected.definition.label} (${conversion.reason ?? "skipped"}), so there is nothing to reverse` });
    } else if (conversion?.status === "succeeded") {
      planned.push({ ...base, ...sendableStatus(connected) });
    } else {
      planned.push({ ...base, status: "waiting", reason: WAITING_FOR_CONVERSION });
    }
  }
  return planned;
}

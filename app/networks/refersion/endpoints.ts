// Refersion's hosts, overridable for loopback test servers. Read at call time, so tests can point them anywhere.
import { endpointBase, endpointUrl } from "../shared/endpoints.ts";
import type { NetworkEndpoint } from "../types.ts";

export const refersionWebhookEndpoint = {
  env: "REFERSION_WEBHOOK_URL",
  default: "https://inbound-webhooks.refersion.com/tracker/orders/paid",
  purpose: "Refersion's server-side \"orders paid\" webhook (full URL)",
} as const satisfies NetworkEndpoint;

export const refersionApiEndpoint = {
  env: "REFERSION_API_URL",
  default: "https://api.refersion.com/v2",
  purpose: "Refersion's REST API base: the app appends `/conversion/cancel`, and `/affiliate/list` to test the keys",
} as const satisfies NetworkEndpoint;

export const refersionEndpoints = [refersionWebhookEndpoint, refersionApiEndpoint] as const;

/** The full URL of the server-side "orders paid" webhook (REFERSION_WEBHOOK_URL). */
export function refersionWebhookUrl(): string {
  return endpointUrl(refersionWebhookEndpoint);
}

/** A REST API v2 call (REFERSION_API_URL is the base): `/conversion/cancel`, `/affiliate/list`. */
export function refersionApiUrl(path: `/${string}`): string {
  return `${endpointBase(refersionApiEndpoint)}${path}`;
}

export function refersionCancelUrl(): string {
  return refersionApiUrl("/conversion/cancel");
}

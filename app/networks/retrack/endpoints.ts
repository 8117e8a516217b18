// Retrack's API base (RETRACK_API_URL), read at call time so tests can point it at a loopback server.
import { endpointBase } from "../shared/endpoints.ts";
import type { NetworkEndpoint } from "../types.ts";

export const retrackApiEndpoint = {
  env: "RETRACK_API_URL",
  default: "https://retrack.refunder.com/api/v2",
  purpose: "Retrack's API base: the app appends `/transactions` and `/transactions/<uuid>`, and looks a transaction up to test the token",
} as const satisfies NetworkEndpoint;

export function retrackCreateUrl(): string {
  return `${endpointBase(retrackApiEndpoint)}/transactions`;
}

export function retrackTransactionUrl(uuid: string): string {
  return `${endpointBase(retrackApiEndpoint)}/transactions/${encodeURIComponent(uuid)}`;
}

/** The documented lookup of a transaction by the order number it was created with. */
export function retrackLookupUrl(orderNumber: string): string {
  return `${endpointBase(retrackApiEndpoint)}/transactions?byOrderNumber=${encodeURIComponent(orderNumber)}`;
}

// Awin's API host (AWIN_API_URL), read at call time so tests can point it at a loopback server.
import { endpointBase } from "../shared/endpoints.ts";
import type { NetworkEndpoint } from "../types.ts";

export const awinApiEndpoint = {
  env: "AWIN_API_URL",
  default: "https://api.awin.com",
  purpose: "Awin's API host: the app appends `/s2s/advertiser/<advertiser id>/orders`, and `/accounts` to test the key",
} as const satisfies NetworkEndpoint;

export const AWIN_API_DEFAULT = awinApiEndpoint.default;

/** The Conversion API: one POST per batch of orders of one advertiser. */
export function awinOrdersUrl(advertiserId: string): string {
  return `${endpointBase(awinApiEndpoint)}/s2s/advertiser/${encodeURIComponent(advertiserId)}/orders`;
}

/** The accounts the API token's user can reach (the credentials check). */
export function awinAccountsUrl(): string {
  return `${endpointBase(awinApiEndpoint)}/accounts?type=advertiser`;
}

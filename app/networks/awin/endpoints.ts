// Awin's API host (AWIN_API_URL), read at call time so tests can point it at a loopback server.
export const AWIN_API_DEFAULT = "https://api.awin.com";

export function awinApiBase(): string {
  return (process.env.AWIN_API_URL || AWIN_API_DEFAULT).replace(/\/+$/, "");
}

/** The Conversion API: one POST per batch of orders of one advertiser. */
export function awinOrdersUrl(advertiserId: string): string {
  return `${awinApiBase()}/s2s/advertiser/${encodeURIComponent(advertiserId)}/orders`;
}

/** The accounts the API token's user can reach (the credentials check). */
export function awinAccountsUrl(): string {
  return `${awinApiBase()}/accounts?type=advertiser`;
}

import type { NetworkRequest } from "../types.ts";
import { awinOrdersUrl } from "./endpoints.ts";
import type { AwinSettings } from "./settings.ts";

export const AWIN_KEY_HEADER = "x-api-key";

/** One order of a Conversion API batch, with only the fields README.md lists as read in Awin's documentation. */
export interface AwinOrder {
  orderReference: string;
  /** Major units as a JSON number, with no more decimals than the currency has. */
  amount: number;
  channel: "aw";
  currency: string;
  awc: string;
  voucher?: string;
  isTest: boolean;
  commissionGroups: Array<{ code: string; amount: number }>;
}

export interface AwinOrdersBody {
  orders: AwinOrder[];
}

/** The Conversion API authenticates with the user's API token, bare, in x-api-key; it is never shown or logged. */
export function awinOrdersRequest(settings: Pick<AwinSettings, "advertiserId" | "apiKey">, body: AwinOrdersBody): NetworkRequest {
  return {
    method: "POST",
    url: awinOrdersUrl(settings.advertiserId),
    headers: { "Content-Type": "application/json", Accept: "application/json", [AWIN_KEY_HEADER]: settings.apiKey },
    body,
    secretHeaders: [AWIN_KEY_HEADER],
  };
}

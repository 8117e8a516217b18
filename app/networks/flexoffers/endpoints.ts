// FlexOffers' direct-advertiser postback (FLEXOFFERS_POSTBACK_URL), read at call time.
import { endpointUrl } from "../shared/endpoints.ts";
import type { NetworkEndpoint } from "../types.ts";

export const flexoffersPostbackEndpoint = {
  env: "FLEXOFFERS_POSTBACK_URL",
  default: "https://track.flexlinkspro.com/da.ashx",
  purpose: "FlexOffers' direct-advertiser postback (full URL)",
} as const satisfies NetworkEndpoint;

export function flexoffersPostbackUrl(): string {
  return endpointUrl(flexoffersPostbackEndpoint);
}

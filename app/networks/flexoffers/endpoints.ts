// FlexOffers' direct-advertiser postback (FLEXOFFERS_POSTBACK_URL), read at call time.
export const FLEXOFFERS_POSTBACK_DEFAULT = "https://track.flexlinkspro.com/da.ashx";

export function flexoffersPostbackUrl(): string {
  return process.env.FLEXOFFERS_POSTBACK_URL || FLEXOFFERS_POSTBACK_DEFAULT;
}

// How the storefront script captures a FlexOffers click: the landing URL's `refid`, kept for the merchant's
// window (the cookieDays setting).
import type { StorefrontCapture } from "../types.ts";

export const FLEXOFFERS_DEFAULT_COOKIE_DAYS = 30;

export const flexoffersCapture = {
  param: "refid",
  // FlexOffers documents no format for its click ids: any value, bounded so a cookie can always hold it.
  pattern: "[\\s\\S]{1,200}",
  cookie: "flexoffers_refid",
  cartAttribute: "_flexoffers_refid",
  days: { setting: "cookieDays", default: FLEXOFFERS_DEFAULT_COOKIE_DAYS },
  example: "FO-98765",
} as const satisfies StorefrontCapture;

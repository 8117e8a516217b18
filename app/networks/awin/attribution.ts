import type { PricedOrder } from "../../orders/model.ts";
import { landingSiteParam, noteAttribute, type Attribution } from "../shared/attribution.ts";

export const AWIN_CLICK_PARAM = "awc";
export const AWIN_AWC_ATTRIBUTE = "_awin_awc";
export const AWIN_AWC_COOKIE = "awin_awc";

/**
 * An Awin click checksum: "<advertiser id>_<unix seconds>_<32 hex digits>". Awin does not publish the format;
 * README.md says where this one comes from. Shopper-controlled input, so anything else is refused.
 */
export const AWC_PATTERN = /^\d{1,10}_\d{10}_[0-9a-fA-F]{32}$/;

/** The Awin click: the _awin_awc cart attribute, else an awc parameter in the landing page URL. */
export function awinClick(order: Pick<PricedOrder, "noteAttributes" | "landingSite">): Attribution {
  const attribute = noteAttribute(order, AWIN_AWC_ATTRIBUTE);
  if (attribute && AWC_PATTERN.test(attribute)) return { found: true, value: attribute, source: `the ${AWIN_AWC_ATTRIBUTE} cart attribute` };
  const landing = landingSiteParam(order.landingSite, AWIN_CLICK_PARAM);
  if (landing && AWC_PATTERN.test(landing)) return { found: true, value: landing, source: `the landing page's ${AWIN_CLICK_PARAM} parameter` };
  const invalid = attribute ?? landing;
  return {
    found: false,
    reason: invalid
      ? `no Awin click on this order: "${invalid.slice(0, 80)}" is not an Awin click checksum (awc)`
      : `no Awin click on this order: no ${AWIN_AWC_ATTRIBUTE} cart attribute and no ${AWIN_CLICK_PARAM} in the landing page URL`,
  };
}

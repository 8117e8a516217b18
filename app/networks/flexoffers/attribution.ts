import type { PricedOrder } from "../../orders/model.ts";
import { landingSiteParam, noteAttribute, type Attribution } from "../shared/attribution.ts";

export const FLEXOFFERS_REFID_ATTRIBUTE = "_flexoffers_refid";

/** The FlexOffers refid: the _flexoffers_refid cart attribute, else a refid parameter in the landing page URL. */
export function flexoffersRefid(order: PricedOrder): Attribution {
  const attribute = noteAttribute(order, FLEXOFFERS_REFID_ATTRIBUTE);
  if (attribute) return { found: true, value: attribute, source: `the ${FLEXOFFERS_REFID_ATTRIBUTE} cart attribute` };
  const landing = landingSiteParam(order.landingSite, "refid");
  if (landing) return { found: true, value: landing, source: "the landing page's refid parameter" };
  return {
    found: false,
    reason: `no FlexOffers click on this order: no ${FLEXOFFERS_REFID_ATTRIBUTE} cart attribute and no refid in the landing page URL`,
  };
}

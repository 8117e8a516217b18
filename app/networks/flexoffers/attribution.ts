import type { PricedOrder } from "../../orders/model.ts";
import { landingSiteParam, noteAttribute, type Attribution } from "../shared/attribution.ts";
import { flexoffersCapture } from "./storefront.ts";

const FLEXOFFERS_REFID_ATTRIBUTE = flexoffersCapture.cartAttribute;
const PARAM = flexoffersCapture.param;

/** The FlexOffers refid: the _flexoffers_refid cart attribute, else a refid parameter in the landing page URL. */
export function flexoffersRefid(order: PricedOrder): Attribution {
  const attribute = noteAttribute(order, FLEXOFFERS_REFID_ATTRIBUTE);
  if (attribute) return { found: true, value: attribute, source: `the ${FLEXOFFERS_REFID_ATTRIBUTE} cart attribute` };
  const landing = landingSiteParam(order.landingSite, PARAM);
  if (landing) return { found: true, value: landing, source: `the landing page's ${PARAM} parameter` };
  return {
    found: false,
    reason: `no FlexOffers click on this order: no ${FLEXOFFERS_REFID_ATTRIBUTE} cart attribute and no ${PARAM} in the landing page URL`,
  };
}

import type { PricedOrder } from "../../orders/model.ts";
import { landingSiteParam, noteAttribute, UUID_PATTERN, type Attribution } from "../shared/attribution.ts";
import { retrackCapture } from "./storefront.ts";

const RETRACK_CLICK_ATTRIBUTE = retrackCapture.cartAttribute;
const PARAM = retrackCapture.param;

/** The Retrack click: the _retrack_click cart attribute, else a click=<uuid> parameter in the landing page URL. */
export function retrackClick(order: PricedOrder): Attribution {
  const attribute = noteAttribute(order, RETRACK_CLICK_ATTRIBUTE);
  if (attribute && UUID_PATTERN.test(attribute)) return { found: true, value: attribute.toLowerCase(), source: `the ${RETRACK_CLICK_ATTRIBUTE} cart attribute` };
  const landing = landingSiteParam(order.landingSite, PARAM);
  if (landing && UUID_PATTERN.test(landing)) return { found: true, value: landing.toLowerCase(), source: `the landing page's ${PARAM} parameter` };
  const invalid = attribute ?? landing;
  return {
    found: false,
    reason: invalid
      ? `no Retrack click on this order: "${invalid}" is not a Retrack click id (a UUID)`
      : `no Retrack click on this order: no ${RETRACK_CLICK_ATTRIBUTE} cart attribute and no ${PARAM}=<uuid> in the landing page URL`,
  };
}

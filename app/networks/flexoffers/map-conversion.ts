// The postback is a GET with the sale in its query: the goods after discounts, without tax and shipping
// (Retrack's orderSum), written with the currency's number of decimals.
import { formatMinorUnits } from "../../money/currency.ts";
import type { PricedOrder } from "../../orders/model.ts";
import { goodsWithoutTax } from "../shared/goods.ts";
import { skip } from "../shared/skip.ts";
import type { Decision, MappingContext } from "../types.ts";
import { flexoffersRefid } from "./attribution.ts";
import { flexoffersPostbackUrl } from "./endpoints.ts";
import type { FlexoffersSettings } from "./settings.ts";

export function mapFlexoffersConversion(order: PricedOrder, settings: FlexoffersSettings, _ctx: MappingContext): Decision {
  const refid = flexoffersRefid(order);
  if (!refid.found) return skip(refid.reason);
  const url = new URL(flexoffersPostbackUrl());
  const params: Array<[string, string]> = [
    ["advertiserid", settings.advertiserId],
    ["clickid", refid.value],
    ["orderamount", formatMinorUnits(goodsWithoutTax(order).orderSum, order.exponent)],
    ["ordernumber", order.reference],
    ["coupon", order.discountCodes[0] ?? ""],
    ["currency", order.currency],
    ["commissionid", settings.commissionId],
  ];
  for (const [name, value] of params) url.searchParams.set(name, value);
  return { action: "send", request: { method: "GET", url: url.toString(), headers: { Accept: "*/*" }, body: null, secretHeaders: [] } };
}

// A paid order with an Awin click becomes one Conversion API order, sent as a batch of one; batch.ts combines such
// requests when the worker sends several at once. amount is the goods after discounts without tax and shipping.
import { minorToMajorNumber } from "../../money/currency.ts";
import type { PricedOrder } from "../../orders/model.ts";
import { goodsWithoutTax } from "../shared/goods.ts";
import { skip } from "../shared/skip.ts";
import type { Decision, MappingContext } from "../types.ts";
import { awinClick } from "./attribution.ts";
import { awinOrdersRequest, type AwinOrder } from "./request.ts";
import { commissionGroupCode, type AwinSettings } from "./settings.ts";

/** Awin keeps at most this many characters of an order reference (README.md). */
export const AWIN_ORDER_REFERENCE_MAX = 50;

export function awinOrder(order: PricedOrder, settings: Pick<AwinSettings, "commissionGroup">, awc: string): AwinOrder {
  const amount = minorToMajorNumber(goodsWithoutTax(order).orderSum, order.exponent);
  const voucher = order.discountCodes[0];
  return {
    orderReference: order.reference,
    amount,
    channel: "aw",
    currency: order.currency,
    awc,
    ...(voucher ? { voucher } : {}),
    isTest: order.test,
    commissionGroups: [{ code: commissionGroupCode(settings), amount }],
  };
}

export function mapAwinConversion(order: PricedOrder, settings: AwinSettings, _ctx: MappingContext): Decision {
  const click = awinClick(order);
  if (!click.found) return skip(click.reason);
  if (order.reference.length > AWIN_ORDER_REFERENCE_MAX) {
    // Awin would cut it short, and two orders could then share one reference: refuse rather than risk a double.
    return skip(
      `the order reference "${order.reference}" is ${order.reference.length} characters and Awin keeps only ${AWIN_ORDER_REFERENCE_MAX}: ` +
        "shorten the order ID prefix or suffix in Shopify's general settings, then replay this delivery",
    );
  }
  return { action: "send", request: awinOrdersRequest(settings, { orders: [awinOrder(order, settings, click.value)] }) };
}

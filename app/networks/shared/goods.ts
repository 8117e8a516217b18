// "The goods after discounts, without VAT, without shipping", computed from Shopify's own line figures, with a
// per-unit price before discounts and without VAT for each line. Retrack's orderSum and FlexOffers' orderamount
// are this one figure. All integer minor units.
import { divideRounded, scaleRounded } from "../../money/arithmetic.ts";
import type { PricedLine, PricedOrder } from "../../orders/model.ts";
import { decimalFraction } from "../../orders/tax-rate.ts";

export interface GoodsLine {
  line: PricedLine;
  /** Unit price before discounts, without VAT. */
  unitNet: number;
  /** The unit's VAT as charged (the line's tax over its quantity). */
  unitVat: number;
  /** The whole line after discounts, without VAT. */
  net: number;
}

export interface Goods {
  lines: GoodsLine[];
  /** Sum of the lines after discounts, without VAT: never negative. */
  orderSum: number;
  /** The goods' VAT (shipping tax excluded). */
  vatSum: number;
  /** What makes sum(unitNet x quantity) - discountSum = orderSum exact; never negative. */
  discountSum: number;
}

function unitNetPrice(line: PricedLine, taxesIncluded: boolean, net: number): number {
  if (!taxesIncluded) return line.unitPrice;
  const afterDiscounts = line.unitPrice * line.quantity - line.discount;
  // Rounded up so that rounding can only ever show as discount, never as a negative one.
  if (afterDiscounts > 0) return scaleRounded(line.unitPrice, net, afterDiscounts, "up");
  if (line.taxRate) {
    // A fully discounted line has no tax to read the rate from: Shopify's rate says how much of the price is VAT.
    const rate = decimalFraction(line.taxRate);
    return scaleRounded(line.unitPrice, rate.denominator, rate.denominator + rate.numerator, "up");
  }
  return line.unitPrice;
}

export function goodsWithoutTax(order: Pick<PricedOrder, "lines" | "taxesIncluded">): Goods {
  const lines: GoodsLine[] = [];
  let orderSum = 0;
  let vatSum = 0;
  let gross = 0;
  for (const line of order.lines) {
    if (line.quantity <= 0) continue;
    const afterDiscounts = line.unitPrice * line.quantity - line.discount;
    const net = Math.max(0, order.taxesIncluded ? afterDiscounts - line.tax : afterDiscounts);
    const unitNet = unitNetPrice(line, order.taxesIncluded, net);
    const unitVat = divideRounded(Math.max(0, line.tax), line.quantity);
    lines.push({ line, unitNet, unitVat, net });
    orderSum += net;
    vatSum += Math.max(0, line.tax);
    gross += unitNet * line.quantity;
  }
  return { lines, orderSum, vatSum, discountSum: gross - orderSum };
}

// One money set, chosen once: every network mapper receives amounts and the currency code that belongs to them.
// An amount unknown in the chosen set (app/orders/shopify-money.ts) makes the order unpriceable in it: the
// pipeline records the order and skips every network with the reason, rather than guessing an amount.
import { currencyExponent } from "../money/currency.ts";
import { OrderPayloadError, UnpriceableOrderError } from "./errors.ts";
import type { CurrencyMode, DualAmount, NormalizedOrder, NormalizedRefund, PricedOrder, PricedRefund, UnknownAmounts } from "./model.ts";

const MODE_LABEL: Record<CurrencyMode, string> = { shop: "shop currency", presentment: "presentment currency (what the shopper saw)" };

function fieldList(fields: string[]): string {
  return fields.length > 3 ? `${fields.slice(0, 3).join(", ")} and ${fields.length - 3} more` : fields.join(", ");
}

/** Why `what` cannot be priced in `mode`, or null when it can. */
export function pricingProblem(
  what: { unknownAmounts?: UnknownAmounts },
  currencies: NormalizedOrder["currencies"],
  mode: CurrencyMode,
  label = "the order",
): string | null {
  const fields = what.unknownAmounts?.[mode];
  if (!fields?.length) return null;
  const currency = currencies[mode];
  const other: CurrencyMode = mode === "shop" ? "presentment" : "shop";
  const otherWorks = !what.unknownAmounts?.[other]?.length && currencies[other] !== currency;
  return (
    `${label} cannot be priced in the ${MODE_LABEL[mode]}, ${currency}: Shopify sent no ${currency} amount for ${fieldList(fields)}` +
    (otherWorks ? `; with the currency setting "${other}" it would be reported in ${currencies[other]}` : "")
  );
}

function sideOf(amount: DualAmount, mode: CurrencyMode, problem: () => string): number {
  const value = amount[mode];
  if (value === null) throw new UnpriceableOrderError(problem());
  return value;
}

export function priceOrder(order: NormalizedOrder, mode: CurrencyMode): PricedOrder {
  const currency = order.currencies[mode];
  const known = pricingProblem(order, order.currencies, mode);
  if (known) throw new UnpriceableOrderError(known);
  // Every null is listed in unknownAmounts, so this only holds the type to it.
  const side = (amount: DualAmount) => sideOf(amount, mode, () => `the order cannot be priced in the ${MODE_LABEL[mode]}, ${currency}`);
  return {
    id: order.id,
    name: order.name,
    reference: order.reference,
    test: order.test,
    currency,
    exponent: currencyExponent(currency),
    taxesIncluded: order.taxesIncluded,
    cartToken: order.cartToken,
    landingSite: order.landingSite,
    noteAttributes: order.noteAttributes,
    discountCodes: order.discountCodes,
    customer: order.customer,
    lines: order.lines.map((line) => ({
      id: line.id,
      sku: line.sku,
      variantId: line.variantId,
      productId: line.productId,
      title: line.title,
      quantity: line.quantity,
      unitPrice: side(line.unitPrice),
      discount: side(line.discount),
      tax: side(line.tax),
      ...(line.taxRate === undefined ? {} : { taxRate: line.taxRate }),
    })),
    shipping: side(order.shipping),
    shippingTax: side(order.shippingTax),
    totalTax: side(order.totalTax),
    totalPaid: side(order.totalPaid),
  };
}

export function priceRefund(refund: NormalizedRefund, order: NormalizedOrder, mode: CurrencyMode): PricedRefund {
  if (refund.orderId !== order.id) {
    throw new OrderPayloadError(`refund ${refund.id} belongs to order ${refund.orderId}, not to order ${order.id}`);
  }
  const currency = order.currencies[mode];
  const known = pricingProblem(refund, order.currencies, mode, `refund ${refund.id}`);
  if (known) throw new UnpriceableOrderError(known);
  const problem = () => `refund ${refund.id} cannot be priced in the ${MODE_LABEL[mode]}, ${currency}`;
  return {
    id: refund.id,
    orderId: refund.orderId,
    currency,
    exponent: currencyExponent(currency),
    lines: refund.lines.map((line) => ({
      lineId: line.lineId,
      quantity: line.quantity,
      subtotal: sideOf(line.subtotal, mode, problem),
      tax: sideOf(line.tax, mode, problem),
    })),
  };
}

// One money set, chosen once: every network mapper receives amounts and the currency code that belongs to them.
import { currencyExponent } from "../money/currency.ts";
import type { CurrencyMode, NormalizedOrder, NormalizedRefund, PricedOrder, PricedRefund } from "./model.ts";
import { OrderPayloadError } from "./from-shopify.ts";

export function priceOrder(order: NormalizedOrder, mode: CurrencyMode): PricedOrder {
  const currency = order.currencies[mode];
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
      unitPrice: line.unitPrice[mode],
      discount: line.discount[mode],
      tax: line.tax[mode],
      ...(line.taxRate === undefined ? {} : { taxRate: line.taxRate }),
    })),
    shipping: order.shipping[mode],
    shippingTax: order.shippingTax[mode],
    totalTax: order.totalTax[mode],
    totalPaid: order.totalPaid[mode],
  };
}

export function priceRefund(refund: NormalizedRefund, order: NormalizedOrder, mode: CurrencyMode): PricedRefund {
  if (refund.orderId !== order.id) {
    throw new OrderPayloadError(`refund ${refund.id} belongs to order ${refund.orderId}, not to order ${order.id}`);
  }
  const currency = order.currencies[mode];
  return {
    id: refund.id,
    orderId: refund.orderId,
    currency,
    exponent: currencyExponent(currency),
    lines: refund.lines.map((line) => ({
      lineId: line.lineId,
      quantity: line.quantity,
      subtotal: line.subtotal[mode],
      tax: line.tax[mode],
    })),
  };
}

// The transaction body Retrack stores, for creates and updates alike. All money is integer minor units:
// orderSum is the goods after discounts without VAT and shipping, and sum(price x quantity) - discountSum = orderSum.
import type { PricedOrder } from "../../orders/model.ts";
import { goodsWithoutTax } from "../shared/goods.ts";
import type { RetrackSettings } from "./settings.ts";

export interface RetrackTransaction {
  event: string;
  click: string;
  orderNumber: string;
  orderSum: number;
  vatSum: number;
  discountSum: number;
  currency: string;
  products: Array<{ event: string; reference: string; quantity: number; name: string; price: number; vat: number }>;
}

export function retrackTransaction(order: PricedOrder, settings: RetrackSettings, click: string): RetrackTransaction {
  const goods = goodsWithoutTax(order);
  return {
    event: settings.eventId,
    click,
    orderNumber: order.reference,
    orderSum: goods.orderSum,
    vatSum: goods.vatSum,
    discountSum: goods.discountSum,
    currency: order.currency,
    products: goods.lines.map(({ line, unitNet, unitVat }) => ({
      event: settings.eventId,
      reference: line.sku,
      quantity: line.quantity,
      name: line.title,
      price: unitNet,
      vat: unitVat,
    })),
  };
}

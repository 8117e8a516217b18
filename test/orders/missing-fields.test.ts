// An order Shopify calls paid is never refused for a missing optional field: absent money sets and current_*
// figures are derived where they can be (with a note on the order); what stays unknown only stops pricing in
// that currency, with a reason the merchant reads.
import { describe, expect, it } from "vitest";
import { UnpriceableOrderError } from "../../app/orders/errors.ts";
import { orderFromShopify, refundFromShopify } from "../../app/orders/from-shopify.ts";
import { priceOrder, priceRefund } from "../../app/orders/price.ts";
import { shopifyOrder, shopifyRefund, withoutMoneySets } from "../../devkit/orders/shopify-order.ts";

const without = (payload: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(Object.entries(payload).filter(([key]) => !keys.includes(key)));

const spec = {
  currency: "USD",
  presentment: { currency: "EUR", factor: 2 },
  lines: [
    { sku: "TEE", quantity: 2, unitPrice: 1999, discounts: [300], taxes: [{ amount: 370, rate: "0.1" }] },
    { sku: "MUG", quantity: 1, unitPrice: 500 },
  ],
  shipping: { price: 800, discount: 300, tax: 50 },
};
const full = shopifyOrder(spec);

function unpriceable(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnpriceableOrderError);
    return (error as Error).message;
  }
  throw new Error("expected the order to be unpriceable");
}

describe("money sets missing", () => {
  it("prices the order in the shop currency from the plain amounts, and says why the presentment one cannot be", () => {
    const order = orderFromShopify(withoutMoneySets(full));
    const shop = priceOrder(order, "shop");
    expect(shop).toEqual(priceOrder(orderFromShopify(full), "shop"));
    expect(order.unknownAmounts?.shop).toBeUndefined();
    expect(order.unknownAmounts?.presentment).toContain("line_items.0.price");
    expect(order.notes).toContain("line_items.0.price: no money set, so the EUR amount is unknown (the USD amount is known)");
    const reason = unpriceable(() => priceOrder(order, "presentment"));
    expect(reason).toMatch(/^the order cannot be priced in the presentment currency \(what the shopper saw\), EUR: Shopify sent no EUR amount for line_items\.0\.price, /);
    expect(reason).toMatch(/with the currency setting "shop" it would be reported in USD$/);
  });

  it("needs no money set at all when the order was presented in the shop's own currency", () => {
    const same = shopifyOrder({ ...spec, presentment: undefined });
    const order = orderFromShopify(withoutMoneySets(same));
    expect(order.unknownAmounts).toBeUndefined();
    expect(priceOrder(order, "presentment")).toEqual(priceOrder(orderFromShopify(same), "presentment"));
  });

  it("refuses to price only what has no amount at all, in either currency", () => {
    const lines = (full.line_items as Array<Record<string, unknown>>).map((line, i) => (i === 1 ? without(line, "price", "price_set") : line));
    const order = orderFromShopify({ ...full, line_items: lines });
    for (const mode of ["shop", "presentment"] as const) expect(unpriceable(() => priceOrder(order, mode))).toMatch(/no (USD|EUR) amount for line_items\.1\.price$/);
  });

  it("reads a refund without money sets in the shop currency, and says why not in the presentment one", () => {
    const order = orderFromShopify(full);
    const refund = refundFromShopify(withoutMoneySets(shopifyRefund({ orderId: 5_000_000_001, presentment: { currency: "EUR", factor: 2 }, lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 1849, tax: 185 }] })), order);
    expect(priceRefund(refund, order, "shop").lines).toEqual([{ lineId: "10000", quantity: 1, subtotal: 1849, tax: 185 }]);
    expect(unpriceable(() => priceRefund(refund, order, "presentment"))).toMatch(/^refund 800001 cannot be priced in the presentment currency .*refund_line_items\.0\.subtotal/);
  });
});

describe("current_* figures missing", () => {
  it("takes the original totals when no line was reduced since payment, with a note", () => {
    const order = orderFromShopify(without(full, "current_total_tax", "current_total_tax_set", "current_total_price", "current_total_price_set"));
    const reference = orderFromShopify(full);
    expect(order.totalTax).toEqual(reference.totalTax);
    expect(order.totalPaid).toEqual(reference.totalPaid);
    expect(order.notes).toEqual([
      "current_total_tax: missing; total_tax used (no line was reduced since payment)",
      "current_total_price: missing; total_price used (no line was reduced since payment)",
    ]);
  });

  it("derives the totals from the lines and shipping when Shopify sent none", () => {
    const bare = without(full, "current_total_tax", "current_total_tax_set", "current_total_price", "current_total_price_set", "total_tax", "total_tax_set", "total_price", "total_price_set");
    const order = orderFromShopify(bare);
    const reference = orderFromShopify(full);
    expect(order.totalTax).toEqual(reference.totalTax);
    expect(order.totalPaid).toEqual(reference.totalPaid);
    expect(order.totalPaid.shop).toBe(1999 * 2 + 500 - 300 + 500 + 420);
    expect(order.notes).toContain("current_total_price: missing; derived from the line items and shipping");
    // Read as paid (cancellations, reconciliation) the same way.
    expect(orderFromShopify(bare, { figures: "asPaid" }).totalPaid).toEqual(reference.totalPaid);
  });

  it("derives the current totals of an order with a reduced line from the original ones", () => {
    const edited = shopifyOrder({ ...spec, lines: [{ sku: "TEE", quantity: 3, currentQuantity: 2, unitPrice: 1000 }, { sku: "MUG", quantity: 1, unitPrice: 500 }], shipping: null });
    const order = orderFromShopify(without({ ...edited, total_price: "35.00", total_price_set: undefined }, "current_total_price", "current_total_price_set"));
    // 35.00 as paid, less the one TEE (10.00) taken away since.
    expect(order.totalPaid.shop).toBe(2500);
    expect(order.notes).toContain("current_total_price: missing; derived from total_price less what the reduced lines took away");
  });
});

import { describe, expect, it } from "vitest";
import { OrderPayloadError, orderFromShopify, refundFromShopify } from "../../app/orders/from-shopify.ts";
import { priceOrder, priceRefund } from "../../app/orders/price.ts";
import { shopifyOrder, shopifyRefund } from "../../devkit/orders/shopify-order.ts";

const base = shopifyOrder({
  name: "#1001",
  currency: "USD",
  presentment: { currency: "JPY", factor: 2 },
  lines: [
    { sku: "TEE", quantity: 2, unitPrice: 1999, discounts: [300], taxes: [{ amount: 370, rate: "0.1" }] },
    { sku: "", variantId: 4242, quantity: 1, unitPrice: 500 },
  ],
  shipping: { price: 800, discount: 300, tax: 50 },
  noteAttributes: { _retrack_click: "abc" },
  discountCodes: ["SUMMER"],
});

describe("orderFromShopify", () => {
  it("converts amounts to minor units in both money sets", () => {
    const order = orderFromShopify(base);
    expect(order.reference).toBe("1001");
    expect(order.currencies).toEqual({ shop: "USD", presentment: "JPY" });
    expect(order.lines[0]).toMatchObject({
      sku: "TEE",
      quantity: 2,
      unitPrice: { shop: 1999, presentment: 3998 },
      discount: { shop: 300, presentment: 600 },
      tax: { shop: 370, presentment: 740 },
      taxRate: "0.1",
    });
    expect(order.lines[1]!.sku).toBe("4242");
    expect(order.shipping).toEqual({ shop: 500, presentment: 1000 });
    expect(order.shippingTax).toEqual({ shop: 50, presentment: 100 });
    expect(order.totalTax.shop).toBe(420);
    expect(order.totalPaid.shop).toBe(1999 * 2 + 500 - 300 + 500 + 420);
    expect(order.noteAttributes).toEqual({ _retrack_click: "abc" });
    expect(order.discountCodes).toEqual(["SUMMER"]);
    expect(order.customer).toMatchObject({ firstName: "Ada", email: "ada@example.com", ipAddress: "203.0.113.7" });
  });

  it("prices one money set with its own currency code", () => {
    const order = orderFromShopify(base);
    const shop = priceOrder(order, "shop");
    const presentment = priceOrder(order, "presentment");
    expect(shop).toMatchObject({ currency: "USD", exponent: 2, totalPaid: order.totalPaid.shop });
    expect(presentment).toMatchObject({ currency: "JPY", exponent: 0, totalPaid: order.totalPaid.presentment });
    expect(presentment.lines[0]!.unitPrice).toBe(3998);
  });

  it("uses current_quantity and drops removed lines", () => {
    const payload = shopifyOrder({ lines: [{ quantity: 3, currentQuantity: 2, unitPrice: 100 }, { quantity: 1, currentQuantity: 0, unitPrice: 50 }] });
    const order = orderFromShopify(payload);
    expect(order.lines).toHaveLength(1);
    expect(order.lines[0]!.quantity).toBe(2);
  });

  it("rejects what is not an order with one line", () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /expected a JSON object/],
      [[1, 2], /expected a JSON object/],
      [{ hello: "world" }, /not a Shopify order: id/],
      [{ ...base, line_items: [] }, /at least one line item/],
      [{ ...base, currency: "XXZ" }, /unknown currency code "XXZ"/],
      [{ ...base, current_total_price_set: { shop_money: { amount: "1.234", currency_code: "USD" }, presentment_money: { amount: "1", currency_code: "JPY" } } }, /more decimals than USD/],
      [{ ...base, current_total_tax_set: { shop_money: { amount: "1", currency_code: "EUR" }, presentment_money: { amount: "1", currency_code: "JPY" } } }, /shop_money is in EUR/],
    ];
    for (const [payload, message] of bad) {
      let error: unknown;
      try {
        orderFromShopify(payload);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OrderPayloadError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain("\n");
    }
  });
});

describe("refundFromShopify", () => {
  it("converts a refund and prices it with the order's currency", () => {
    const order = orderFromShopify(base);
    const refund = refundFromShopify(shopifyRefund({ orderId: 5_000_000_001, presentment: { currency: "JPY", factor: 2 }, lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 1849, tax: 185 }] }));
    expect(refund.lines[0]).toEqual({ lineId: "10000", quantity: 1, subtotal: { shop: 1849, presentment: 3698 }, tax: { shop: 185, presentment: 370 } });
    expect(priceRefund(refund, order, "presentment")).toMatchObject({ currency: "JPY", lines: [{ subtotal: 3698 }] });
  });

  it("refuses a refund of another order", () => {
    const order = orderFromShopify(base);
    const refund = refundFromShopify(shopifyRefund({ orderId: 1, lines: [] }));
    expect(() => priceRefund(refund, order, "shop")).toThrow(/belongs to order 1/);
    expect(() => refundFromShopify({ id: 1 })).toThrow(OrderPayloadError);
  });
});

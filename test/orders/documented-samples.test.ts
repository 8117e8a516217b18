// Shopify's documented sample payloads (test/fixtures/shopify-samples) read at the edge: every 64-bit id exactly.
import { describe, expect, it } from "vitest";
import { refersion } from "../../app/networks/refersion/index.ts";
import { OrderPayloadError, orderFromShopify, refundFromShopify } from "../../app/orders/from-shopify.ts";
import { priceOrder } from "../../app/orders/price.ts";
import { parseJsonKeepingBigIntegers } from "../../app/orders/shopify-json.ts";
import {
  documentedPaidOrderText,
  documentedRefundText,
  SAMPLE_CUSTOMER_ID,
  SAMPLE_LINE_IDS,
  SAMPLE_ORDER_ID,
  SAMPLE_PRODUCT_ID,
  SAMPLE_REFUND_ID,
} from "../fixtures/shopify-samples/index.ts";
import { sent } from "../networks/helpers.ts";

const paid = () => parseJsonKeepingBigIntegers(documentedPaidOrderText());
const refund = () => parseJsonKeepingBigIntegers(documentedRefundText());

describe("Shopify's documented sample payloads", () => {
  it("read with every id exact: order, line items, products, customer", () => {
    const order = orderFromShopify(paid());
    expect(order.id).toBe(SAMPLE_ORDER_ID);
    expect(order.lines.map((line) => line.id)).toEqual(SAMPLE_LINE_IDS);
    expect(order.lines.map((line) => line.productId)).toEqual([SAMPLE_PRODUCT_ID, SAMPLE_PRODUCT_ID, SAMPLE_PRODUCT_ID]);
    expect(order.customer?.id).toBe(SAMPLE_CUSTOMER_ID);
    expect(order.notes).toBeUndefined();
    expect(order).toMatchObject({ name: "#9999", reference: "9999", test: true, currencies: { shop: "USD", presentment: "USD" } });
    expect(order.totalPaid).toEqual({ shop: 36997, presentment: 36997 });
  });

  it("read the refund with its own id, its order's id and the refunded line's id exact", () => {
    const order = orderFromShopify(paid());
    expect(refundFromShopify(refund(), order)).toEqual({
      id: SAMPLE_REFUND_ID,
      orderId: SAMPLE_ORDER_ID,
      createdAt: "2021-12-31T19:00:00-05:00",
      lines: [{ lineId: SAMPLE_LINE_IDS[0], quantity: 1, subtotal: { shop: 8999, presentment: 8999 }, tax: { shop: 0, presentment: 0 } }],
    });
  });

  it("give Refersion the exact order id as cart_id (the sample has no cart)", () => {
    const priced = priceOrder(orderFromShopify(paid()), "shop");
    const body = sent(refersion.mapConversion(priced, { enabled: true, publicKey: "p", secretKey: "s" }, { sendTestOrders: true })).body as { cart_id: string };
    expect(body.cart_id).toBe(SAMPLE_ORDER_ID);
  });

  it("read exactly even after a plain JSON.parse, through the admin_graphql_api_id, and never keep an inexact id", () => {
    const lossy = JSON.parse(documentedPaidOrderText()) as Record<string, unknown>;
    const order = orderFromShopify(lossy);
    expect(order.id).toBe(SAMPLE_ORDER_ID);
    expect(order.lines.map((line) => line.id)).toEqual(SAMPLE_LINE_IDS);
    expect(order.customer?.id).toBe(SAMPLE_CUSTOMER_ID);
    // Line items carry no gid for their product: the changed number is left out, with a note.
    expect(order.lines.every((line) => line.productId === null)).toBe(true);
    expect(order.notes?.[0]).toMatch(/line_items\.0\.product_id: the id 788032119674292900 is beyond 2\^53/);
    // Without a gid naming the same number, an order id read inexactly is refused.
    expect(() => orderFromShopify({ ...lossy, admin_graphql_api_id: null })).toThrow(OrderPayloadError);
    expect(() => orderFromShopify({ ...lossy, admin_graphql_api_id: "gid://shopify/Order/1" })).toThrow(/beyond 2\^53/);
    expect(() => refundFromShopify(JSON.parse(documentedRefundText()))).toThrow(/order_id: the id 820982911946154500 is beyond 2\^53/);
  });

  it("refuse an id that is not 64-bit", () => {
    const order = paid() as Record<string, unknown>;
    expect(() => orderFromShopify({ ...order, id: "18446744073709551616" })).toThrow(/not a 64-bit id/);
    expect(orderFromShopify({ ...order, id: "000042" }).id).toBe("42");
  });
});

// What the edge refuses (422, nothing written) and what it only notes: one-line OrderPayloadErrors, never a
// RangeError or an invalid date escaping into the pipeline.
import { describe, expect, it } from "vitest";
import { OrderPayloadError, orderFromShopify, refundFromShopify } from "../../app/orders/from-shopify.ts";
import { shopifyOrder, shopifyRefund } from "../../devkit/orders/shopify-order.ts";

const base = shopifyOrder({ lines: [{ quantity: 2, unitPrice: 1000, discounts: [100] }, { quantity: 1, unitPrice: 500 }] });
const lines = base.line_items as Array<Record<string, unknown>>;
const huge = "90071992547409.91";

function refused(payload: unknown, read = orderFromShopify as (p: unknown) => unknown): string {
  try {
    read(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(OrderPayloadError);
    expect((error as Error).message).not.toContain("\n");
    expect((error as Error).message).not.toContain("\u0000");
    return (error as Error).message;
  }
  throw new Error("expected the payload to be refused");
}

describe("unreadable payloads", () => {
  it("refuses timestamps that are not timestamps, or that no database stores", () => {
    for (const value of ["garbage", "2026-13-45T99:99:99Z", "", "-000001-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", "0999-12-31T00:00:00Z"]) {
      expect(refused({ ...base, cancelled_at: value })).toMatch(/^not a Shopify order: cancelled_at ".*" is not a timestamp$/);
    }
    expect(refused({ ...base, created_at: "yesterday" })).toMatch(/created_at "yesterday" is not a timestamp/);
    expect(refused({ ...shopifyRefund({ orderId: 5_000_000_001, lines: [] }), created_at: "x" }, refundFromShopify)).toMatch(/^not a Shopify refund: created_at/);
    expect(orderFromShopify({ ...base, cancelled_at: "2021-12-31T19:00:00-05:00" }).cancelledAt).toBe("2021-12-31T19:00:00-05:00");
  });

  it("refuses sums beyond what can be counted exactly, in discounts, taxes, prices and refunds", () => {
    const allocation = { amount: huge, amount_set: { shop_money: { amount: huge, currency_code: "USD" }, presentment_money: { amount: huge, currency_code: "USD" } } };
    expect(refused({ ...base, line_items: [{ ...lines[0], discount_allocations: [allocation, allocation] }, lines[1]] })).toBe("not a Shopify order: its amounts are too large to count exactly");
    expect(refused({ ...base, line_items: [{ ...lines[0], price: huge, price_set: undefined }, lines[1]] })).toMatch(/line_items\.0: 2 units of the price are too large an amount to count exactly/);
    expect(refused({ ...base, line_items: [lines[0], { ...lines[1], tax_lines: [{ price: huge }, { price: huge }] }] })).toMatch(/too large to count exactly/);
    const refund = shopifyRefund({ orderId: 5_000_000_001, lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 1 }, { lineItemId: 10_001, quantity: 1, subtotal: 1 }] });
    const items = (refund.refund_line_items as Array<Record<string, unknown>>).map((item) => ({ ...item, subtotal: huge, subtotal_set: undefined }));
    expect(refused({ ...refund, refund_line_items: items }, (p) => refundFromShopify(p, orderFromShopify(base)))).toBe("not a Shopify refund: its amounts are too large to count exactly");
  });

  it("keeps its one-line message free of what the payload quoted", () => {
    expect(refused({ ...base, line_items: [{ ...lines[0], price: "1\u0000\n2", price_set: undefined }] })).toBe('line_items.0.price: "1 2" is not a decimal amount of USD');
  });

  it("counts a current quantity above the quantity as the quantity, with a note, rather than refusing a paid order", () => {
    const order = orderFromShopify({ ...base, line_items: [{ ...lines[0], current_quantity: 5 }, lines[1]] });
    expect(order.lines[0]!.quantity).toBe(2);
    expect(order.notes).toContain("line_items.0: current_quantity 5 is above quantity 2; 2 counted");
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { refersion } from "../../../app/networks/refersion/index.ts";
import { redactRequest } from "../../../app/networks/http.ts";
import { refersionDocumentedOrder } from "../../fixtures/documented-orders.ts";
import { shopifyOrder, shopifyRefund } from "../../../devkit/orders/shopify-order.ts";
import { ctx, decided, priced, pricedRefund, sent, skipped } from "../helpers.ts";

const settings = { enabled: true, publicKey: "pub_live_123", secretKey: "sec_live_456" };

afterEach(() => vi.unstubAllEnvs());

describe("Refersion conversion: golden, from Refersion's documented webhook example", () => {
  it("maps the documented order exactly", () => {
    const request = sent(refersion.mapConversion(priced(refersionDocumentedOrder()), settings, ctx));
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://inbound-webhooks.refersion.com/tracker/orders/paid");
    expect(request.headers).toEqual({
      "Content-Type": "application/json",
      "Refersion-Public-Key": "pub_live_123",
      "Refersion-Secret-Key": "sec_live_456",
    });
    expect(request.body).toEqual({
      cart_id: "hWN4bnFzZ1Y1a2dOTWpTYmV6T2Vq",
      order_id: "20150401102883",
      currency_code: "USD",
      shipping: 9.99,
      tax: 0.57,
      discount: 2.25,
      discount_code: "HOLIDAY1",
      customer: { first_name: "John", last_name: "Doe", email: "jdoe@example.com", ip_address: "203.0.113.75" },
      items: [
        { sku: "PROD_A", quantity: 2, price: 5.5, name: "Product A" },
        { sku: "PROD_B", quantity: 1, price: 3.25, name: "Product B" },
        { sku: "PROD_C", quantity: 4, price: 1.75, name: "Product C" },
      ],
    });
    // Amounts travel as JSON numbers in major units.
    expect(JSON.stringify(request.body)).toContain('"shipping":9.99,"tax":0.57,"discount":2.25');
  });

  it("never shows the secret key once redacted", () => {
    const request = sent(refersion.mapConversion(priced(refersionDocumentedOrder()), settings, ctx));
    const shown = JSON.stringify(redactRequest(request));
    expect(shown).not.toContain("sec_live_456");
    expect(redactRequest(request).headers["Refersion-Secret-Key"]).toBe("[redacted]");
    expect(redactRequest(request).headers["Refersion-Public-Key"]).toBe("pub_live_123");
  });

  it("reads its URLs from the environment at call time", () => {
    vi.stubEnv("REFERSION_WEBHOOK_URL", "http://127.0.0.1:9/tracker/orders/paid");
    vi.stubEnv("REFERSION_API_URL", "http://127.0.0.1:9/v2/");
    expect(sent(refersion.mapConversion(priced(refersionDocumentedOrder()), settings, ctx)).url).toBe("http://127.0.0.1:9/tracker/orders/paid");
    expect(sent(refersion.mapCancellation(priced(refersionDocumentedOrder()), settings, ctx)).url).toBe("http://127.0.0.1:9/v2/conversion/cancel");
  });
});

describe("Refersion cart_id attribution (attribute, then cart token without ?key=, then order id)", () => {
  const body = (payload: unknown) => sent(refersion.mapConversion(priced(payload), settings, ctx)).body as { cart_id: string };

  it("prefers the _refersion_cart_id cart attribute", () => {
    expect(body(shopifyOrder({ lines: [{ quantity: 1, unitPrice: 100 }], noteAttributes: { _refersion_cart_id: "sent-at-checkout" }, cartToken: "other" })).cart_id).toBe("sent-at-checkout");
  });

  it("falls back to the cart token with its ?key= part removed", () => {
    expect(body(shopifyOrder({ lines: [{ quantity: 1, unitPrice: 100 }], cartToken: "c1-abc?key=123" })).cart_id).toBe("c1-abc");
  });

  it("falls back to the order id for orders without a cart (draft, POS, API), so coupons still credit", () => {
    expect(body(shopifyOrder({ id: 777, lines: [{ quantity: 1, unitPrice: 100 }], cartToken: null })).cart_id).toBe("777");
  });

  it("sends every paid order, with or without a referral", () => {
    const request = refersion.mapConversion(priced(shopifyOrder({ lines: [{ quantity: 1, unitPrice: 100 }], noteAttributes: {} })), settings, ctx);
    expect(request.action).toBe("send");
  });

  it("skips test orders unless asked, with a reason", () => {
    const order = shopifyOrder({ test: true, lines: [{ quantity: 1, unitPrice: 100 }] });
    expect(skipped(decided(refersion, settings, order))).toMatch(/test order/);
    expect(decided(refersion, settings, order, { sendTestOrders: true }).action).toBe("send");
  });

  it("writes JPY and KWD amounts with their own decimals", () => {
    const jpy = sent(refersion.mapConversion(priced(shopifyOrder({ currency: "JPY", lines: [{ quantity: 1, unitPrice: 1500 }], shipping: { price: 500 } })), settings, ctx)).body;
    expect(jpy).toMatchObject({ currency_code: "JPY", shipping: 500, items: [{ price: 1500 }] });
    const kwd = sent(refersion.mapConversion(priced(shopifyOrder({ currency: "KWD", lines: [{ quantity: 1, unitPrice: 12_345 }] })), settings, ctx)).body;
    expect(kwd).toMatchObject({ currency_code: "KWD", items: [{ price: 12.345 }] });
  });
});

describe("Refersion reversals", () => {
  it("cancels every item on a cancellation", () => {
    const request = sent(refersion.mapCancellation(priced(refersionDocumentedOrder()), settings, ctx));
    expect(request.url).toBe("https://api.refersion.com/v2/conversion/cancel");
    expect(request.body).toEqual({
      order_id: "20150401102883",
      items: [
        { sku: "PROD_A", price: 5.5, quantity: 2 },
        { sku: "PROD_B", price: 3.25, quantity: 1 },
        { sku: "PROD_C", price: 1.75, quantity: 4 },
      ],
    });
  });

  it("cancels only the refunded subset on a refund", () => {
    const { order, refund } = pricedRefund(
      refersionDocumentedOrder(),
      shopifyRefund({ orderId: 5_900_000_001, lines: [{ lineItemId: 10_002, quantity: 3, subtotal: 463, tax: 13 }] }),
    );
    expect(sent(refersion.mapRefund(order, refund, settings, ctx)).body).toEqual({
      order_id: "20150401102883",
      items: [{ sku: "PROD_C", price: 1.75, quantity: 3 }],
    });
  });

  it("skips a refund that returns no items, saying why", () => {
    const { order, refund } = pricedRefund(refersionDocumentedOrder(), shopifyRefund({ orderId: 5_900_000_001, lines: [] }));
    expect(skipped(refersion.mapRefund(order, refund, settings, ctx))).toMatch(/no items/);
  });
});

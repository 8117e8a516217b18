import { describe, expect, it } from "vitest";
import { redactRequest } from "../../../app/networks/http.ts";
import { retrack } from "../../../app/networks/retrack/index.ts";
import { RETRACK_DOCUMENTED_EVENT, retrackFullExampleOrder, retrackS2sExampleOrder } from "../../fixtures/documented-orders.ts";
import { shopifyOrder, shopifyRefund } from "../../../devkit/orders/shopify-order.ts";
import { ctx, decided, priced, pricedRefund, sent, skipped } from "../helpers.ts";

const settings = { enabled: true, apiToken: "DbV6KYhMm7firiNtgfOCEmRohglfAQUTUy4FudGOKtetC0yYSaKtOXIedfNX", eventId: RETRACK_DOCUMENTED_EVENT };
const CLICK = "4ab932a4-cc8d-4074-bb71-5e80de25aea5";
const UUID = "3afc4a82-93c3-423f-8ee8-542ccb315931";

describe("Retrack conversion: golden, from Retrack's documented examples", () => {
  it("maps the server-to-server example (SEK, minor units) exactly", () => {
    const request = sent(retrack.mapConversion(priced(retrackS2sExampleOrder()), settings, ctx));
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://retrack.refunder.com/api/v2/transactions");
    expect(request.headers.Authorization).toBe(`Bearer ${settings.apiToken}`);
    expect(request.body).toEqual({
      event: RETRACK_DOCUMENTED_EVENT,
      click: "59d08c54-18e6-4e0d-9c06-d18be3510e43",
      orderNumber: "test1234",
      orderSum: 10100,
      vatSum: 2000,
      discountSum: 0,
      currency: "SEK",
      products: [{ event: RETRACK_DOCUMENTED_EVENT, reference: "testabc123", quantity: 1, name: "Testprodukt", price: 10100, vat: 2000 }],
    });
  });

  it("maps the full example (VAT included in prices) to the documented sums without VAT", () => {
    const body = sent(retrack.mapConversion(priced(retrackFullExampleOrder()), settings, ctx)).body;
    expect(body).toEqual({
      event: RETRACK_DOCUMENTED_EVENT,
      click: CLICK,
      orderNumber: "692549563",
      orderSum: 130_000,
      vatSum: 32_500,
      discountSum: 0,
      currency: "SEK",
      products: [
        { event: RETRACK_DOCUMENTED_EVENT, reference: "4113", quantity: 1, name: "Nike Air", price: 100_000, vat: 25_000 },
        { event: RETRACK_DOCUMENTED_EVENT, reference: "6720", quantity: 1, name: "Summer Dress", price: 30_000, vat: 7_500 },
      ],
    });
  });

  it("redacts the bearer token", () => {
    const shown = redactRequest(sent(retrack.mapConversion(priced(retrackS2sExampleOrder()), settings, ctx)));
    expect(shown.headers.Authorization).toBe("[redacted]");
    expect(JSON.stringify(shown)).not.toContain(settings.apiToken);
  });
});

describe("Retrack click attribution (attribute, then a click uuid in landing_site)", () => {
  const order = (noteAttributes: Record<string, string>, landingSite: string | null) =>
    priced(shopifyOrder({ lines: [{ quantity: 1, unitPrice: 100 }], noteAttributes, landingSite }));
  const click = (decision: ReturnType<typeof retrack.mapConversion>) => (sent(decision).body as { click: string }).click;

  it("prefers the _retrack_click cart attribute", () => {
    expect(click(retrack.mapConversion(order({ _retrack_click: CLICK }, `/?click=${UUID}`), settings, ctx))).toBe(CLICK);
  });

  it("falls back to a click uuid in the landing page", () => {
    expect(click(retrack.mapConversion(order({}, `/retrack?click=${UUID}&deeplink=%2F`), settings, ctx))).toBe(UUID);
  });

  it("skips orders without a Retrack click, with a reason", () => {
    expect(skipped(retrack.mapConversion(order({}, "/"), settings, ctx))).toMatch(/no Retrack click/);
    expect(skipped(retrack.mapConversion(order({}, "/?click=not-a-uuid"), settings, ctx))).toMatch(/"not-a-uuid" is not a Retrack click id/);
  });

  it("skips test orders unless asked", () => {
    const test = shopifyOrder({ test: true, lines: [{ quantity: 1, unitPrice: 100 }], noteAttributes: { _retrack_click: CLICK } });
    expect(skipped(decided(retrack, settings, test))).toMatch(/test order/);
    expect(decided(retrack, settings, test, { sendTestOrders: true }).action).toBe("send");
  });
});

describe("Retrack reversals use the uuid saved from the create answer", () => {
  it("rejects the transaction on a cancellation", () => {
    const request = sent(retrack.mapCancellation(priced(retrackFullExampleOrder()), settings, { sendTestOrders: false, externalRef: UUID }));
    expect(request.url).toBe(`https://retrack.refunder.com/api/v2/transactions/${UUID}`);
    expect(request.body).toEqual({ status: "rejected" });
  });

  it("waits for the conversion: without a uuid, a reversal is a skip with a reason", () => {
    expect(skipped(retrack.mapCancellation(priced(retrackFullExampleOrder()), settings, ctx))).toMatch(/no transaction for this order yet/);
  });

  it("updates the transaction to what the shopper kept on a partial refund", () => {
    const { order, refund } = pricedRefund(
      retrackFullExampleOrder(),
      shopifyRefund({ orderId: 5_900_000_002, currency: "SEK", lines: [{ lineItemId: 10_001, quantity: 1, subtotal: 37_500, tax: 7_500 }] }),
    );
    const request = sent(retrack.mapRefund(order, refund, settings, { sendTestOrders: false, externalRef: UUID }));
    expect(request.url).toBe(`https://retrack.refunder.com/api/v2/transactions/${UUID}`);
    expect(request.body).toMatchObject({
      orderNumber: "692549563",
      orderSum: 100_000,
      vatSum: 25_000,
      discountSum: 0,
      products: [{ reference: "4113", quantity: 1, price: 100_000, vat: 25_000 }],
    });
  });

  it("rejects the transaction when everything is refunded", () => {
    const { order, refund } = pricedRefund(
      retrackFullExampleOrder(),
      shopifyRefund({
        orderId: 5_900_000_002,
        currency: "SEK",
        lines: [
          { lineItemId: 10_000, quantity: 1, subtotal: 125_000, tax: 25_000 },
          { lineItemId: 10_001, quantity: 1, subtotal: 37_500, tax: 7_500 },
        ],
      }),
    );
    expect(sent(retrack.mapRefund(order, refund, settings, { sendTestOrders: false, externalRef: UUID })).body).toEqual({ status: "rejected" });
  });

  it("keeps the discount share of the units not refunded", () => {
    // 4 x 10.00 with 8.00 discount: refunding 1 unit pays back 8.00; 3 units with 6.00 discount remain.
    const payload = shopifyOrder({ id: 9, lines: [{ quantity: 4, unitPrice: 1000, discounts: [800] }], noteAttributes: { _retrack_click: CLICK } });
    const { order, refund } = pricedRefund(payload, shopifyRefund({ orderId: 9, lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 800 }] }));
    expect(sent(retrack.mapRefund(order, refund, settings, { sendTestOrders: false, externalRef: UUID })).body).toMatchObject({
      orderSum: 2400,
      discountSum: 600,
      products: [{ quantity: 3, price: 1000 }],
    });
  });

  it("takes every refund so far off the transaction, whichever refund's update is sent last", () => {
    // 4 x 10.00, no discount: two partial refunds of one unit each leave 2 units, in either delivery order.
    const payload = shopifyOrder({ id: 9, lines: [{ quantity: 4, unitPrice: 1000 }], noteAttributes: { _retrack_click: CLICK } });
    const first = pricedRefund(payload, shopifyRefund({ id: 1, orderId: 9, lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 1000 }] }));
    const second = pricedRefund(payload, shopifyRefund({ id: 2, orderId: 9, lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 1000 }] }));
    const refundsSoFar = [first.refund, second.refund];
    for (const refund of [first.refund, second.refund]) {
      const body = sent(retrack.mapRefund(first.order, refund, settings, { sendTestOrders: false, externalRef: UUID, refundsSoFar })).body;
      expect(body).toMatchObject({ orderSum: 2000, discountSum: 0, products: [{ quantity: 2, price: 1000 }] });
    }
    // Without the list, only the refund at hand is known.
    expect(sent(retrack.mapRefund(first.order, first.refund, settings, { sendTestOrders: false, externalRef: UUID })).body).toMatchObject({ orderSum: 3000 });
  });
});

import { describe, expect, it } from "vitest";
import { flexoffers } from "../../../app/networks/flexoffers/index.ts";
import { flexoffersDocumentedOrder } from "../../fixtures/documented-orders.ts";
import { shopifyOrder } from "../../../devkit/orders/shopify-order.ts";
import { ctx, decided, priced, sent, skipped } from "../helpers.ts";

const settings = { enabled: true, advertiserId: "4b3c2d1e-aaaa-bbbb-cccc-1234567890ab", commissionId: "", cookieDays: 30 };

describe("FlexOffers postback: golden, from FlexOffers' documented parameter list", () => {
  it("sends a GET with every documented parameter", () => {
    const request = sent(flexoffers.mapConversion(priced(flexoffersDocumentedOrder()), settings, ctx));
    expect(request.method).toBe("GET");
    expect(request.body).toBeNull();
    expect(request.url).toBe(
      "https://track.flexlinkspro.com/da.ashx?advertiserid=4b3c2d1e-aaaa-bbbb-cccc-1234567890ab&clickid=110097545FOF41509727756072518" +
        "&orderamount=55.00&ordernumber=1042&coupon=WELCOME10&currency=USD&commissionid=",
    );
  });

  it("writes the amount with the currency's decimals (JPY 0, KWD 3)", () => {
    const amount = (currency: string, unitPrice: number) =>
      new URL(sent(flexoffers.mapConversion(priced(shopifyOrder({ currency, lines: [{ quantity: 2, unitPrice }], landingSite: "/?refid=R1" })), settings, ctx)).url).searchParams.get("orderamount");
    expect(amount("JPY", 1500)).toBe("3000");
    expect(amount("KWD", 1234)).toBe("2.468");
    expect(amount("USD", 5)).toBe("0.10");
  });

  it("passes the merchant's commission id", () => {
    const url = new URL(sent(flexoffers.mapConversion(priced(flexoffersDocumentedOrder()), { ...settings, commissionId: "C-9" }, ctx)).url);
    expect(url.searchParams.get("commissionid")).toBe("C-9");
  });
});

describe("FlexOffers refid attribution (attribute, then refid in landing_site)", () => {
  const order = (noteAttributes: Record<string, string>, landingSite: string | null) =>
    priced(shopifyOrder({ lines: [{ quantity: 1, unitPrice: 100 }], noteAttributes, landingSite }));
  const clickid = (decision: ReturnType<typeof flexoffers.mapConversion>) => new URL(sent(decision).url).searchParams.get("clickid");

  it("prefers the _flexoffers_refid cart attribute", () => {
    expect(clickid(flexoffers.mapConversion(order({ _flexoffers_refid: "FROMCART" }, "/?refid=FROMURL"), settings, ctx))).toBe("FROMCART");
  });

  it("falls back to refid in the landing page", () => {
    expect(clickid(flexoffers.mapConversion(order({}, "/collections/all?utm=x&refid=FROMURL"), settings, ctx))).toBe("FROMURL");
  });

  it("skips orders without a refid, with a reason", () => {
    expect(skipped(flexoffers.mapConversion(order({}, null), settings, ctx))).toMatch(/no FlexOffers click/);
  });
});

describe("FlexOffers has no reversal", () => {
  it("records cancellations and refunds as skips that say so", () => {
    expect(flexoffers.reversal).toEqual({ supported: false, reason: expect.stringMatching(/no way to reverse/) });
    const decision = decided(flexoffers, settings, flexoffersDocumentedOrder(), { event: { kind: "cancellation", conversion: { state: "sent", externalRef: null } } });
    expect(skipped(decision)).toMatch(/FlexOffers has no way to reverse/);
  });
});

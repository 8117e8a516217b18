// PRODUCT.md's mapping invariants, checked over generated Shopify orders: taxes included or not, many lines,
// line and order discounts (up to 100%), shipping discounts, JPY / USD / KWD, quantities 1 to 1000.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flexoffers } from "../../app/networks/flexoffers/index.ts";
import { refersion } from "../../app/networks/refersion/index.ts";
import { retrack } from "../../app/networks/retrack/index.ts";
import type { RetrackTransaction } from "../../app/networks/retrack/transaction.ts";
import { currencyExponent, formatMinorUnits, parseMinorUnits } from "../../app/money/currency.ts";
import type { CurrencyMode } from "../../app/orders/model.ts";
import { shopifyOrder, type LineSpec, type OrderSpec } from "../../devkit/orders/shopify-order.ts";
import { priced, sent } from "./helpers.ts";

const CLICK = "59d08c54-18e6-4e0d-9c06-d18be3510e43";
const settings = {
  refersion: { enabled: true, publicKey: "pub", secretKey: "sec" },
  retrack: { enabled: true, apiToken: "token", eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" },
  flexoffers: { enabled: true, advertiserId: "adv", commissionId: "", cookieDays: 30 },
};
const ctx = { sendTestOrders: false };
const RUNS = 120;

const ratePercent = fc.constantFrom(0, 5, 8, 10, 19, 25);
const quantity = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1000 }));
const unitPrice = fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 1, max: 1_000_000 }));

/** Tax the way a shop charges it: on the discounted amount, added on top or contained in the price. */
function taxOn(amount: number, percent: number, included: boolean): number {
  return included ? Math.round((amount * percent) / (100 + percent)) : Math.round((amount * percent) / 100);
}

const lineArb = (included: boolean) =>
  fc
    .record({ quantity, unitPrice, percent: ratePercent, discountKind: fc.constantFrom("none", "some", "full"), share: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map(({ quantity, unitPrice, percent, discountKind, share }): LineSpec => {
      const gross = quantity * unitPrice;
      const discount = discountKind === "none" ? 0 : discountKind === "full" ? gross : Math.floor(gross * share);
      const tax = taxOn(gross - discount, percent, included);
      return {
        quantity,
        unitPrice,
        discounts: discount ? [discount] : [],
        taxes: percent ? [{ amount: tax, rate: (percent / 100).toString() }] : [],
      };
    });

const orderArb = fc
  .record({
    currency: fc.constantFrom("JPY", "USD", "KWD"),
    taxesIncluded: fc.boolean(),
    presentment: fc.record({ currency: fc.constantFrom("JPY", "USD", "KWD", "EUR"), factor: fc.integer({ min: 1, max: 3 }) }),
    shippingPrice: fc.integer({ min: 0, max: 5_000 }),
    shippingDiscount: fc.constantFrom("none", "some", "full"),
    hasShipping: fc.boolean(),
  })
  .chain((base) =>
    fc.record({
      base: fc.constant(base),
      lines: fc.array(lineArb(base.taxesIncluded), { minLength: 1, maxLength: 8 }),
    }),
  )
  .map(({ base, lines }): OrderSpec => {
    const discount = base.shippingDiscount === "none" ? 0 : base.shippingDiscount === "full" ? base.shippingPrice : Math.floor(base.shippingPrice / 3);
    return {
      currency: base.currency,
      taxesIncluded: base.taxesIncluded,
      presentment: base.presentment,
      lines,
      shipping: base.hasShipping ? { price: base.shippingPrice, discount, tax: taxOn(base.shippingPrice - discount, 25, base.taxesIncluded) } : null,
      discountCodes: ["CODE"],
      noteAttributes: { _retrack_click: CLICK, _flexoffers_refid: "REF1" },
    };
  });

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** A JSON number Refersion receives, back in minor units: fails on NaN, exponent notation or too many decimals. */
function minorOf(value: unknown, currency: string): number {
  expect(typeof value).toBe("number");
  expect(Number.isFinite(value)).toBe(true);
  const minor = parseMinorUnits(JSON.stringify(value), currency);
  expect(minor).toBeGreaterThanOrEqual(0);
  return minor;
}

function expected(spec: OrderSpec, mode: CurrencyMode) {
  const factor = mode === "presentment" ? spec.presentment!.factor : 1;
  const lineTax = (l: LineSpec) => sum((l.taxes ?? []).map((t) => t.amount));
  const goods = sum(spec.lines.map((l) => l.unitPrice * l.quantity - sum(l.discounts ?? []) - (spec.taxesIncluded ? lineTax(l) : 0)));
  return { factor, goods: goods * factor, vat: sum(spec.lines.map(lineTax)) * factor };
}

function check(spec: OrderSpec, mode: CurrencyMode) {
  const order = priced(shopifyOrder(spec), mode);
  const currency = mode === "presentment" ? spec.presentment!.currency : spec.currency!;
  expect(order.currency).toBe(currency);
  const want = expected(spec, mode);

  // Refersion: items - discount + shipping + tax = total paid (without tax when prices include it).
  const r = sent(refersion.mapConversion(order, settings.refersion, ctx)).body as {
    currency_code: string;
    shipping: number;
    tax: number;
    discount: number;
    items: Array<{ price: number; quantity: number }>;
  };
  expect(r.currency_code).toBe(currency);
  const items = sum(r.items.map((item) => minorOf(item.price, currency) * item.quantity));
  const total = items - minorOf(r.discount, currency) + minorOf(r.shipping, currency) + (spec.taxesIncluded ? 0 : minorOf(r.tax, currency));
  expect(total).toBe(order.totalPaid);

  // Retrack: integers; sum(price x quantity) - discountSum = orderSum; orderSum excludes VAT and shipping.
  const t = sent(retrack.mapConversion(order, settings.retrack, ctx)).body as RetrackTransaction;
  expect(t.currency).toBe(currency);
  for (const value of [t.orderSum, t.vatSum, t.discountSum, ...t.products.flatMap((p) => [p.price, p.vat, p.quantity])]) {
    expect(Number.isSafeInteger(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(0);
  }
  expect(sum(t.products.map((p) => p.price * p.quantity)) - t.discountSum).toBe(t.orderSum);
  expect(t.orderSum).toBe(want.goods);
  expect(t.vatSum).toBe(want.vat);
  t.products.forEach((product, index) => {
    const unit = order.lines[index]!.unitPrice;
    if (spec.taxesIncluded) expect(product.price).toBeLessThanOrEqual(unit);
    else expect(product.price).toBe(unit);
  });

  // FlexOffers: Retrack's orderSum in major units, with the currency's decimals.
  const url = new URL(sent(flexoffers.mapConversion(order, settings.flexoffers, ctx)).url);
  expect(url.searchParams.get("orderamount")).toBe(formatMinorUnits(t.orderSum, currencyExponent(currency)));
  expect(url.searchParams.get("currency")).toBe(currency);
  return { refersion: r, retrack: t, total: order.totalPaid };
}

describe("mapping invariants over generated orders", () => {
  it("hold in the shop currency", () => {
    fc.assert(fc.property(orderArb, (spec) => void check(spec, "shop")), { numRuns: RUNS });
  });

  it("hold in the presentment currency, which is never mixed with the shop's", () => {
    fc.assert(
      fc.property(orderArb, (spec) => {
        const shop = check(spec, "shop");
        const presented = check(spec, "presentment");
        const k = spec.presentment!.factor;
        // Every presentment amount is the shop amount in the other money set: same figures times the factor.
        expect(presented.total).toBe(shop.total * k);
        expect(presented.retrack.orderSum).toBe(shop.retrack.orderSum * k);
        expect(presented.retrack.vatSum).toBe(shop.retrack.vatSum * k);
        expect(presented.refersion.currency_code).toBe(spec.presentment!.currency);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it("hold for the edge cases: 100% discounts, free shipping, zero prices, 1000 units", () => {
    for (const currency of ["JPY", "USD", "KWD"]) {
      for (const taxesIncluded of [false, true]) {
        const lines: LineSpec[] = [
          { quantity: 1000, unitPrice: 999, taxes: [{ amount: taxOn(999_000, 25, taxesIncluded), rate: "0.25" }] },
          { quantity: 3, unitPrice: 1500, discounts: [4500], taxes: [{ amount: 0, rate: "0.25" }] },
          { quantity: 1, unitPrice: 0 },
          { quantity: 7, unitPrice: 333, discounts: [1], taxes: [{ amount: taxOn(2330, 19, taxesIncluded), rate: "0.19" }] },
        ];
        check({ currency, taxesIncluded, lines, shipping: { price: 700, discount: 700 }, presentment: { currency, factor: 1 }, noteAttributes: { _retrack_click: CLICK, _flexoffers_refid: "R" } }, "shop");
      }
    }
  });
});

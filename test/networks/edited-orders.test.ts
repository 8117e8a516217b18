// Orders edited down or partly refunded before orders/paid was read (current_quantity below quantity): Shopify's
// line tax_lines and discount_allocations still cover every unit ever ordered, so what each network is sent must
// be the kept units' share, and still add up exactly (PRODUCT.md's mapping rules, as in invariants.test.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flexoffers } from "../../app/networks/flexoffers/index.ts";
import { refersion } from "../../app/networks/refersion/index.ts";
import { retrack } from "../../app/networks/retrack/index.ts";
import type { RetrackTransaction } from "../../app/networks/retrack/transaction.ts";
import { currencyExponent, formatMinorUnits, parseMinorUnits } from "../../app/money/currency.ts";
import { keptOf, shopifyOrder, type LineSpec, type OrderSpec } from "../../devkit/orders/shopify-order.ts";
import { priced, sent } from "./helpers.ts";

const CLICK = "59d08c54-18e6-4e0d-9c06-d18be3510e43";
const settings = {
  refersion: { enabled: true, publicKey: "pub", secretKey: "sec" },
  retrack: { enabled: true, apiToken: "token", eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" },
  flexoffers: { enabled: true, advertiserId: "adv", commissionId: "", cookieDays: 30 },
};
const ctx = { sendTestOrders: false };
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

const taxOn = (amount: number, percent: number, included: boolean) =>
  included ? Math.round((amount * percent) / (100 + percent)) : Math.round((amount * percent) / 100);

const lineArb = (included: boolean) =>
  fc
    .record({
      quantity: fc.integer({ min: 1, max: 60 }),
      keptShare: fc.double({ min: 0, max: 1, noNaN: true }),
      unitPrice: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 1, max: 500_000 })),
      percent: fc.constantFrom(0, 5, 18, 25),
      discountKind: fc.constantFrom("none", "some", "full"),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ quantity, keptShare, unitPrice, percent, discountKind, share }): LineSpec => {
      const gross = quantity * unitPrice;
      const discount = discountKind === "none" ? 0 : discountKind === "full" ? gross : Math.floor(gross * share);
      return {
        quantity,
        currentQuantity: Math.floor(quantity * keptShare),
        unitPrice,
        discounts: discount ? [discount] : [],
        taxes: percent ? [{ amount: taxOn(gross - discount, percent, included), rate: (percent / 100).toString() }] : [],
      };
    });

const orderArb = fc
  .record({ currency: fc.constantFrom("JPY", "USD", "KWD", "INR"), taxesIncluded: fc.boolean(), shippingPrice: fc.integer({ min: 0, max: 5_000 }) })
  .chain((base) => fc.record({ base: fc.constant(base), lines: fc.array(lineArb(base.taxesIncluded), { minLength: 1, maxLength: 6 }) }))
  .filter(({ lines }) => lines.some((line) => (line.currentQuantity ?? 0) > 0) && lines.some((line) => line.currentQuantity! < line.quantity))
  .map(
    ({ base, lines }): OrderSpec => ({
      currency: base.currency,
      taxesIncluded: base.taxesIncluded,
      lines,
      shipping: { price: base.shippingPrice, tax: taxOn(base.shippingPrice, 25, base.taxesIncluded) },
      noteAttributes: { _retrack_click: CLICK, _flexoffers_refid: "REF1" },
    }),
  );

function minorOf(value: unknown, currency: string): number {
  expect(typeof value).toBe("number");
  return parseMinorUnits(JSON.stringify(value), currency);
}

function check(spec: OrderSpec) {
  const payload = shopifyOrder(spec);
  const currency = spec.currency!;
  const order = priced(payload);
  const kept = spec.lines.filter((l) => (l.currentQuantity ?? l.quantity) > 0);
  const keptTax = (l: LineSpec) => keptOf(sum((l.taxes ?? []).map((t) => t.amount)), l.quantity, l.currentQuantity!);
  const keptDiscount = (l: LineSpec) => keptOf(sum(l.discounts ?? []), l.quantity, l.currentQuantity!);
  const shopifyCurrentTax = parseMinorUnits(payload.current_total_tax as string, currency);

  // Refersion: kept items - their discounts + shipping + tax = what Shopify says the order now comes to.
  const r = sent(refersion.mapConversion(order, settings.refersion, ctx)).body as { tax: number; discount: number; shipping: number; items: Array<{ price: number; quantity: number }> };
  expect(r.items.map((item) => item.quantity)).toEqual(kept.map((l) => l.currentQuantity));
  const items = sum(r.items.map((item) => minorOf(item.price, currency) * item.quantity));
  expect(minorOf(r.discount, currency)).toBe(sum(kept.map(keptDiscount)));
  const total = items - minorOf(r.discount, currency) + minorOf(r.shipping, currency) + (spec.taxesIncluded ? 0 : minorOf(r.tax, currency));
  expect(total).toBe(parseMinorUnits(payload.current_total_price as string, currency));

  // Retrack: the kept units' VAT, never more than the order's own current tax; its identity exact.
  const t = sent(retrack.mapConversion(order, settings.retrack, ctx)).body as RetrackTransaction;
  expect(t.vatSum).toBe(sum(kept.map(keptTax)));
  expect(t.vatSum + (spec.shipping?.tax ?? 0)).toBe(shopifyCurrentTax);
  expect(t.orderSum).toBe(sum(kept.map((l) => l.unitPrice * l.currentQuantity! - keptDiscount(l) - (spec.taxesIncluded ? keptTax(l) : 0))));
  expect(sum(t.products.map((p) => p.price * p.quantity)) - t.discountSum).toBe(t.orderSum);
  for (const value of [t.orderSum, t.vatSum, t.discountSum, ...t.products.flatMap((p) => [p.price, p.vat])]) {
    expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
  }
  t.products.forEach((product, i) => {
    // A unit's VAT is a share of that unit's price, not of every unit ever ordered.
    expect(product.vat).toBeLessThanOrEqual(kept[i]!.unitPrice);
  });

  // FlexOffers: Retrack's orderSum.
  const url = new URL(sent(flexoffers.mapConversion(order, settings.flexoffers, ctx)).url);
  expect(url.searchParams.get("orderamount")).toBe(formatMinorUnits(t.orderSum, currencyExponent(currency)));
}

describe("edited and partly refunded orders", () => {
  it("report what the shopper kept, and every network's figures add up (generated orders)", () => {
    fc.assert(fc.property(orderArb, check), { numRuns: 150 });
  });

  it("the order reported from a real shop: a unit VAT of 539.97 INR on a 749.95 unit, from four units' tax", () => {
    // Four units at 749.95 with 18% GST on top (539.97 for all four), three of them removed before payment was
    // read: Shopify's current_total_tax is 135.00.
    const spec: OrderSpec = {
      currency: "INR",
      lines: [{ sku: "KURTA", quantity: 4, currentQuantity: 1, unitPrice: 74_995, taxes: [{ amount: 53_997, rate: "0.18" }] }],
      noteAttributes: { _retrack_click: CLICK, _flexoffers_refid: "REF1" },
    };
    expect(shopifyOrder(spec).current_total_tax).toBe("135.00");
    const t = sent(retrack.mapConversion(priced(shopifyOrder(spec)), settings.retrack, ctx)).body as RetrackTransaction;
    expect(t).toMatchObject({ vatSum: 13_500, orderSum: 74_995, products: [{ quantity: 1, price: 74_995, vat: 13_500 }] });
    check(spec);
  });
});

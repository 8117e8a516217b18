// Awin's amount is the goods after discounts, without tax and shipping, exactly, in the currency's decimals: checked
// over generated Shopify orders (taxes included or added, line discounts up to 100%, shipping with its own tax and
// discounts, JPY / USD / KWD, both money sets), against figures computed here from the order spec itself. Every
// generated request must also pass the loopback simulator's contract checks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { awin } from "../../../app/networks/awin/index.ts";
import type { AwinSettings } from "../../../app/networks/awin/settings.ts";
import { AwinSimulator } from "../../../app/networks/awin/simulator.ts";
import { currencyExponent, parseMinorUnits } from "../../../app/money/currency.ts";
import type { CurrencyMode } from "../../../app/orders/model.ts";
import { shopifyOrder, type LineSpec, type OrderSpec } from "../../../devkit/orders/shopify-order.ts";
import { ctx, priced, sent } from "../helpers.ts";

const AWC = "1001_1732096800_3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e";
const settings: AwinSettings = { enabled: true, advertiserId: "1001", apiKey: "awin-token", commissionGroup: "", cookieDays: 30 };
const RUNS = 150;

const taxOn = (amount: number, percent: number, included: boolean) =>
  included ? Math.round((amount * percent) / (100 + percent)) : Math.round((amount * percent) / 100);

const lineArb = (included: boolean) =>
  fc
    .record({
      quantity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1000 })),
      unitPrice: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 1, max: 1_000_000 })),
      percent: fc.constantFrom(0, 5, 8, 10, 19, 20, 25),
      discountKind: fc.constantFrom("none", "some", "full"),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ quantity, unitPrice, percent, discountKind, share }): LineSpec => {
      const gross = quantity * unitPrice;
      const discount = discountKind === "none" ? 0 : discountKind === "full" ? gross : Math.floor(gross * share);
      return {
        quantity,
        unitPrice,
        discounts: discount ? [discount] : [],
        taxes: percent ? [{ amount: taxOn(gross - discount, percent, included), rate: String(percent / 100) }] : [],
      };
    });

const orderArb = fc
  .record({
    currency: fc.constantFrom("JPY", "USD", "KWD"),
    taxesIncluded: fc.boolean(),
    presentment: fc.record({ currency: fc.constantFrom("JPY", "USD", "KWD", "EUR"), factor: fc.integer({ min: 1, max: 3 }) }),
    shipping: fc.option(fc.record({ price: fc.integer({ min: 0, max: 5_000 }), discounted: fc.boolean() }), { nil: null }),
  })
  .chain((base) => fc.record({ base: fc.constant(base), lines: fc.array(lineArb(base.taxesIncluded), { minLength: 1, maxLength: 8 }) }))
  .map(({ base, lines }): OrderSpec => ({
    currency: base.currency,
    taxesIncluded: base.taxesIncluded,
    presentment: base.presentment,
    lines,
    shipping: base.shipping
      ? { price: base.shipping.price, discount: base.shipping.discounted ? Math.floor(base.shipping.price / 3) : 0, tax: taxOn(base.shipping.price, 25, base.taxesIncluded) }
      : null,
    discountCodes: ["CODE"],
    noteAttributes: { _awin_awc: AWC },
  }));

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The goods after discounts without tax, from the spec's own line figures, in the chosen money set. */
function expectedGoods(spec: OrderSpec, mode: CurrencyMode): number {
  const factor = mode === "presentment" ? spec.presentment!.factor : 1;
  const lineTax = (line: LineSpec) => sum((line.taxes ?? []).map((tax) => tax.amount));
  return factor * sum(spec.lines.map((line) => line.unitPrice * line.quantity - sum(line.discounts ?? []) - (spec.taxesIncluded ? lineTax(line) : 0)));
}

function check(spec: OrderSpec, mode: CurrencyMode) {
  const currency = mode === "presentment" ? spec.presentment!.currency : spec.currency!;
  const request = sent(awin.mapConversion(priced(shopifyOrder(spec), mode), settings, ctx));
  const [order] = (request.body as { orders: Array<{ amount: number; currency: string; commissionGroups: Array<{ amount: number }> }> }).orders;
  expect(order!.currency).toBe(currency);
  const written = JSON.stringify(order!.amount);
  expect(written).toMatch(/^\d+(\.\d+)?$/);
  expect((written.split(".")[1] ?? "").length).toBeLessThanOrEqual(currencyExponent(currency));
  expect(parseMinorUnits(written, currency)).toBe(expectedGoods(spec, mode));
  expect(order!.commissionGroups.map((group) => group.amount)).toEqual([order!.amount]);

  const simulator = new AwinSimulator({ advertiserId: "1001", apiKey: "awin-token" });
  const answer = simulator.handle({
    method: "POST",
    path: new URL(request.url).pathname,
    query: {},
    headers: { "x-api-key": "awin-token", "content-type": "application/json" },
    rawBody: JSON.stringify(request.body),
  });
  expect(answer.problems).toEqual([]);
  expect(answer.accepted).toBe(true);
}

describe("Awin's amount over generated orders", () => {
  it("is the goods after discounts without tax and shipping, exactly, in the shop currency", () => {
    fc.assert(fc.property(orderArb, (spec) => check(spec, "shop")), { numRuns: RUNS });
  });

  it("is the same in the presentment currency, never mixed with the shop's", () => {
    fc.assert(fc.property(orderArb, (spec) => check(spec, "presentment")), { numRuns: RUNS / 2 });
  });
});

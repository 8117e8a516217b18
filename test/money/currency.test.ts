import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { divideRounded, scaleRounded } from "../../app/money/arithmetic.ts";
import {
  currencyExponent,
  formatMinorUnits,
  minorToMajorNumber,
  parseMinorUnits,
  UnknownCurrencyError,
} from "../../app/money/currency.ts";

describe("currencyExponent", () => {
  it("knows ISO 4217 exponents", () => {
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("SEK")).toBe(2);
    expect(currencyExponent("KWD")).toBe(3);
    expect(currencyExponent("CLF")).toBe(4);
  });

  it("rejects unknown codes with a clear error", () => {
    expect(() => currencyExponent("XYZ")).toThrow(UnknownCurrencyError);
    expect(() => currencyExponent("usd")).toThrow(/unknown currency code "usd"/);
  });
});

describe("parseMinorUnits", () => {
  it("parses decimal strings exactly", () => {
    expect(parseMinorUnits("19.99", "USD")).toBe(1999);
    expect(parseMinorUnits("0.1", "USD")).toBe(10);
    expect(parseMinorUnits("1000", "JPY")).toBe(1000);
    expect(parseMinorUnits("1000.00", "JPY")).toBe(1000);
    expect(parseMinorUnits("1.234", "KWD")).toBe(1234);
    expect(parseMinorUnits("-0.05", "USD")).toBe(-5);
    expect(parseMinorUnits("19.990", "USD")).toBe(1999);
    expect(parseMinorUnits(5.5, "USD")).toBe(550);
    expect(parseMinorUnits("0", "KWD")).toBe(0);
  });

  it("rejects more decimals than the currency has, and non-amounts", () => {
    expect(() => parseMinorUnits("19.995", "USD")).toThrow(/more decimals than USD allows/);
    expect(() => parseMinorUnits("10.5", "JPY")).toThrow(/JPY/);
    expect(() => parseMinorUnits("abc", "USD")).toThrow(/not a decimal amount/);
    expect(() => parseMinorUnits(1e21, "USD")).toThrow();
    expect(() => parseMinorUnits("1", "ZZZ")).toThrow(UnknownCurrencyError);
  });

  it("round-trips with formatMinorUnits for every exponent", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom("JPY", "USD", "KWD", "CLF"), (minor, code) => {
        const text = formatMinorUnits(minor, currencyExponent(code));
        expect(parseMinorUnits(text, code)).toBe(minor);
      }),
      { numRuns: 200 },
    );
  });
});

describe("formatMinorUnits / minorToMajorNumber", () => {
  it("formats with exactly the currency's decimals", () => {
    expect(formatMinorUnits(1999, 2)).toBe("19.99");
    expect(formatMinorUnits(-5, 2)).toBe("-0.05");
    expect(formatMinorUnits(5, 3)).toBe("0.005");
    expect(formatMinorUnits(1000, 0)).toBe("1000");
    expect(formatMinorUnits(0, 2)).toBe("0.00");
    expect(() => formatMinorUnits(1.5, 2)).toThrow();
  });

  it("gives the JSON number that prints as the amount", () => {
    expect(JSON.stringify(minorToMajorNumber(1999, 2))).toBe("19.99");
    expect(JSON.stringify(minorToMajorNumber(10, 2))).toBe("0.1");
    expect(JSON.stringify(minorToMajorNumber(1234, 3))).toBe("1.234");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), fc.constantFrom(0, 2, 3), (minor, exponent) => {
        expect(parseMinorUnits(JSON.stringify(minorToMajorNumber(minor, exponent)), exponent === 0 ? "JPY" : exponent === 2 ? "USD" : "KWD")).toBe(minor);
      }),
      { numRuns: 200 },
    );
  });
});

describe("integer ratios", () => {
  it("rounds as asked", () => {
    expect(divideRounded(7, 2)).toBe(4);
    expect(divideRounded(7, 2, "down")).toBe(3);
    expect(divideRounded(6, 3, "up")).toBe(2);
    expect(divideRounded(7, 3, "up")).toBe(3);
    expect(scaleRounded(125000, 100, 125)).toBe(100000);
    expect(() => divideRounded(1, 0)).toThrow();
  });
});

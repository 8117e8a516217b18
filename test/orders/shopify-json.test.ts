// The lossless parse used for webhook bodies and order files: integers beyond 2^53 keep their exact digits.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonKeepingBigIntegers } from "../../app/orders/shopify-json.ts";

describe("parseJsonKeepingBigIntegers", () => {
  it("keeps integers beyond 2^53 as their exact digits, wherever they are", () => {
    const text = '{"id": 820982911946154508, "lines": [{"id": -9007199254740993}, 9007199254740991], "a": {"b": 18446744073709551615}}';
    expect(parseJsonKeepingBigIntegers(text)).toEqual({
      id: "820982911946154508",
      lines: [{ id: "-9007199254740993" }, 9007199254740991],
      a: { b: "18446744073709551615" },
    });
  });

  it("gives everything else exactly as JSON.parse does: strings with digits, decimals, exponents, escapes", () => {
    const text = String.raw`{"gid": "gid://shopify/Order/820982911946154508", "q\"820982911946154508": 1, "price": 12345678901234567.5, "e": 1e21, "s": "\\", "n": null}`;
    expect(parseJsonKeepingBigIntegers(text)).toEqual(JSON.parse(text));
  });

  it("refuses what is not JSON, like JSON.parse", () => {
    for (const text of ["{not json", "{12345678901234567890: 1}", "", "[1,]"]) {
      expect(() => parseJsonKeepingBigIntegers(text)).toThrow(SyntaxError);
    }
  });

  it("agrees with JSON.parse on any JSON, except that unsafe integer literals keep their digits", () => {
    // JSON.stringify writes a double as its shortest text: an integer literal only where no exponent is needed.
    const expected = (text: string) =>
      JSON.parse(text, (_key, value: unknown) =>
        typeof value === "number" && !Number.isSafeInteger(value) && /^-?\d+$/.test(JSON.stringify(value)) ? JSON.stringify(value) : value,
      ) as unknown;
    fc.assert(
      fc.property(fc.jsonValue(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (value, big) => {
        const text = JSON.stringify(value);
        expect(parseJsonKeepingBigIntegers(text)).toEqual(expected(text));
        const withBig = `{"v": ${text}, "id": ${big}}`;
        const parsed = parseJsonKeepingBigIntegers(withBig) as { id: unknown };
        expect(parsed.id).toBe(Number.isSafeInteger(Number(big)) ? Number(big) : big.toString());
      }),
      { numRuns: 300 },
    );
  });
});

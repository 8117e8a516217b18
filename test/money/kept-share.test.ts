import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keptShare } from "../../app/money/arithmetic.ts";

describe("keptShare", () => {
  it("splits a line amount over its units exactly: kept and removed shares add up to the whole", () => {
    expect(keptShare(53_997, 4, 1)).toBe(13_500);
    expect(keptShare(53_997, 4, 3)).toBe(40_498);
    expect(keptShare(10, 3, 0)).toBe(0);
    expect(keptShare(10, 3, 3)).toBe(10);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (total, units, share) => {
        const kept = Math.floor(units * share);
        const mine = keptShare(total, units, kept);
        expect(keptShare(total, units, units)).toBe(total);
        // One more kept unit adds that unit's share: the whole over the units, rounded down or up.
        if (kept < units) expect(BigInt(keptShare(total, units, kept + 1)) - BigInt(mine) - BigInt(total) / BigInt(units)).toBeLessThanOrEqual(1n);
        // Each kept unit's share is the whole over the units, rounded down or up: never further off than that.
        const floor = BigInt(kept) * (BigInt(total) / BigInt(units));
        expect(BigInt(mine) >= floor && BigInt(mine) <= floor + BigInt(kept)).toBe(true);
        expect(mine).toBeLessThanOrEqual(total);
      }),
    );
  });

  it("refuses what is not a share", () => {
    expect(() => keptShare(-1, 2, 1)).toThrow(RangeError);
    expect(() => keptShare(1, 0, 0)).toThrow(RangeError);
    expect(() => keptShare(1, 2, 3)).toThrow(RangeError);
  });
});

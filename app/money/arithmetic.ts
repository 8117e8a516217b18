// Integer arithmetic on minor units. Ratios go through BigInt so that large amounts times large quantities stay
// exact; results are checked back into safe integers.

export function sumMinor(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  if (!Number.isSafeInteger(total)) throw new RangeError(`money sum ${total} is not a safe integer`);
  return total;
}

export type Rounding = "half-up" | "up" | "down";

/** numerator / denominator for non-negative integers, rounded as asked. */
export function divideRounded(numerator: number | bigint, denominator: number | bigint, rounding: Rounding = "half-up"): number {
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  if (d <= 0n) throw new RangeError("division by a non-positive number");
  if (n < 0n) throw new RangeError("divideRounded expects a non-negative numerator");
  let q = n / d;
  const r = n % d;
  if (rounding === "up" && r > 0n) q += 1n;
  if (rounding === "half-up" && r * 2n >= d) q += 1n;
  const result = Number(q);
  if (!Number.isSafeInteger(result)) throw new RangeError("money ratio is not a safe integer");
  return result;
}

/** value * numerator / denominator, exact until the final rounding. */
export function scaleRounded(value: number, numerator: number | bigint, denominator: number | bigint, rounding: Rounding = "half-up"): number {
  return divideRounded(BigInt(value) * BigInt(numerator), denominator, rounding);
}

/**
 * The share of `total` that belongs to `kept` of `units` equal units, in whole minor units. The total is split
 * into per-unit integers that add up to it exactly (the first `total mod units` units carry one minor unit more),
 * so the kept and the removed shares always add up to the whole. This is how Shopify's own current figures come
 * out in the case reported in issue 8 (539.97 of tax on four units, one kept: 135.00).
 */
export function keptShare(total: number, units: number, kept: number): number {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError("keptShare expects a non-negative integer total");
  if (!Number.isSafeInteger(units) || units <= 0 || !Number.isSafeInteger(kept) || kept < 0 || kept > units) {
    throw new RangeError("keptShare expects 0 <= kept <= units");
  }
  const each = BigInt(total) / BigInt(units);
  const extra = BigInt(total) % BigInt(units);
  const k = BigInt(kept);
  return Number(k * each + (k < extra ? k : extra));
}

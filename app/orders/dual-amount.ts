// Arithmetic on amounts held in both money sets, where a side may be unknown (null): whatever is computed from an
// unknown side is unknown too, and is only priced (app/orders/price.ts) if the settings ask for the other side.
import { sumMinor } from "../money/arithmetic.ts";
import type { DualAmount } from "./model.ts";

const SIDES = ["shop", "presentment"] as const;

function perSide(f: (side: (typeof SIDES)[number]) => number | null): DualAmount {
  return { shop: f("shop"), presentment: f("presentment") };
}

export const ZERO: DualAmount = { shop: 0, presentment: 0 };

export function sumDual(amounts: readonly DualAmount[]): DualAmount {
  return perSide((side) => (amounts.some((a) => a[side] === null) ? null : sumMinor(amounts.map((a) => a[side]!))));
}

/** a - b; null where either side is unknown. May be negative: callers decide what that means. */
export function subtractDual(a: DualAmount, b: DualAmount): DualAmount {
  return perSide((side) => (a[side] === null || b[side] === null ? null : sumMinor([a[side]!, -b[side]!])));
}

export function mapDual(a: DualAmount, f: (value: number) => number): DualAmount {
  return perSide((side) => (a[side] === null ? null : f(a[side]!)));
}

export function isNegative(a: DualAmount): boolean {
  return SIDES.some((side) => a[side] !== null && a[side]! < 0);
}

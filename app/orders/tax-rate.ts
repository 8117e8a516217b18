// Shopify's tax rates are decimals ("0.25", 0.07). They are added and used as exact fractions, never as floats.

const pattern = /^(\d+)(?:\.(\d+))?$/;

/** A non-negative decimal string as numerator / 10^scale. */
export function decimalFraction(value: string): { numerator: bigint; denominator: bigint } {
  const match = pattern.exec(value.trim());
  if (!match) throw new RangeError(`"${value}" is not a tax rate`);
  const [, whole = "0", fraction = ""] = match;
  return { numerator: BigInt(whole + fraction), denominator: 10n ** BigInt(fraction.length) };
}

export function addDecimalStrings(a: string, b: string): string {
  const x = decimalFraction(a);
  const y = decimalFraction(b);
  const scale = x.denominator > y.denominator ? x.denominator : y.denominator;
  const sum = x.numerator * (scale / x.denominator) + y.numerator * (scale / y.denominator);
  const decimals = scale.toString().length - 1;
  if (decimals === 0) return sum.toString();
  const digits = sum.toString().padStart(decimals + 1, "0");
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

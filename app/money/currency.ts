// ISO 4217 minor units, and exact conversion between Shopify's decimal strings and integer minor units.
// Money never passes through floating-point arithmetic: amounts are parsed and formatted as digit strings.

export class UnknownCurrencyError extends Error {
  constructor(readonly code: string) {
    super(`unknown currency code "${code}": expected an ISO 4217 code such as USD, EUR, JPY or KWD`);
    this.name = "UnknownCurrencyError";
  }
}

export class MoneyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyFormatError";
  }
}

// Codes whose exponent is not 2 (ISO 4217 list, current edition).
const nonDefaultExponents: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0,
  VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

// Every other active ISO 4217 currency code has two decimals.
const twoDecimalCodes = (
  "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE " +
  "CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD " +
  "HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU " +
  "MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG " +
  "SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES " +
  "WST XCD XCG YER ZAR ZMW ZWG ZWL"
).split(" ");

const exponents = new Map<string, number>([
  ...twoDecimalCodes.map((code) => [code, 2] as const),
  ...Object.entries(nonDefaultExponents),
]);

/** The currency's number of decimals (ISO 4217 exponent): JPY 0, USD 2, KWD 3. */
export function currencyExponent(code: string): number {
  const exponent = exponents.get(code);
  if (exponent === undefined) throw new UnknownCurrencyError(code);
  return exponent;
}

export function isKnownCurrency(code: string): boolean {
  return exponents.has(code);
}

const decimalPattern = /^(-)?(\d+)(?:\.(\d*))?$/;

/**
 * A decimal amount ("19.99", "1000", "-0.5") as integer minor units of the currency, exactly. More decimals than
 * the currency has are rejected unless they are zeros ("19.990" is fine for USD, "19.995" is not).
 */
export function parseMinorUnits(amount: string | number, currency: string): number {
  const exponent = currencyExponent(currency);
  // Numbers are read through their shortest decimal representation; exponent notation is not money.
  const text = typeof amount === "number" ? String(amount) : amount.trim();
  const match = decimalPattern.exec(text);
  if (!match) throw new MoneyFormatError(`"${text}" is not a decimal amount of ${currency}`);
  const [, sign, whole = "0", fraction = ""] = match;
  const kept = fraction.slice(0, exponent);
  const dropped = fraction.slice(exponent);
  if (/[^0]/.test(dropped)) {
    throw new MoneyFormatError(`"${text}" has more decimals than ${currency} allows (${exponent})`);
  }
  const digits = (whole + kept.padEnd(exponent, "0")).replace(/^0+(?=\d)/, "");
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor)) throw new MoneyFormatError(`"${text}" is too large an amount of ${currency}`);
  return sign && minor !== 0 ? -minor : minor;
}

/** Integer minor units as a decimal string with exactly `exponent` decimals: (1999, 2) -> "19.99", (-5, 2) -> "-0.05". */
export function formatMinorUnits(minor: number, exponent: number): string {
  if (!Number.isSafeInteger(minor)) throw new MoneyFormatError(`${minor} is not an integer number of minor units`);
  const negative = minor < 0;
  const digits = String(Math.abs(minor));
  if (exponent === 0) return (negative ? "-" : "") + digits;
  const padded = digits.padStart(exponent + 1, "0");
  const whole = padded.slice(0, padded.length - exponent);
  const fraction = padded.slice(padded.length - exponent);
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/**
 * Minor units as a JSON number in major units (Refersion wants amounts as numbers). Built from the formatted
 * string, so 1999 becomes exactly the double that prints as 19.99, never the result of a division.
 */
export function minorToMajorNumber(minor: number, exponent: number): number {
  return Number(formatMinorUnits(minor, exponent));
}

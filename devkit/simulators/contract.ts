// Small checks the network simulators share: every rule here is part of a network's documented contract.
import { currencyExponent } from "../../app/money/currency.ts";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Problems = string[];

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function knownCurrency(code: unknown, field: string, problems: Problems): number | null {
  if (typeof code !== "string" || !/^[A-Z]{3}$/.test(code)) {
    problems.push(`${field} must be a three-letter ISO 4217 code`);
    return null;
  }
  try {
    return currencyExponent(code);
  } catch {
    problems.push(`${field} ${code} is not an ISO 4217 currency`);
    return null;
  }
}

/** A JSON number in major units with no more decimals than the currency has. */
export function majorAmount(value: unknown, field: string, exponent: number | null, problems: Problems, required = true): void {
  if (value === undefined && !required) return;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    problems.push(`${field} must be a JSON number${typeof value === "string" ? ", not a string" : ""}`);
    return;
  }
  if (value < 0) problems.push(`${field} must not be negative`);
  const decimals = (String(value).split(".")[1] ?? "").length;
  if (/e/i.test(String(value))) problems.push(`${field} is not a plain decimal amount`);
  else if (exponent !== null && decimals > exponent) problems.push(`${field} has ${decimals} decimals, more than the currency's ${exponent}`);
}

/** An integer amount in minor units. */
export function minorAmount(value: unknown, field: string, problems: Problems, required = true): void {
  if (value === undefined && !required) return;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) problems.push(`${field} must be an integer in minor units`);
  else if (value < 0) problems.push(`${field} must not be negative`);
}

export function nonEmptyString(value: unknown, field: string, problems: Problems, max = 255): void {
  if (typeof value !== "string" || value.trim() === "") problems.push(`${field} is required`);
  else if (value.length > max) problems.push(`${field} is longer than ${max} characters`);
}

export function positiveInteger(value: unknown, field: string, problems: Problems): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) problems.push(`${field} must be a positive integer`);
}

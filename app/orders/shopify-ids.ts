// Shopify ids are 64-bit integers: read as exact decimal text, never through a JavaScript number.
import { OrderPayloadError } from "./errors.ts";

const MAX_ID = 2n ** 64n - 1n;

/**
 * A Shopify id as its exact decimal text. A number beyond 2^53 has already been changed by the JSON parse that
 * produced it, so it is taken from the resource's admin_graphql_api_id ("gid://shopify/Order/<id>") when that names
 * the same number, and refused otherwise (webhook bodies are parsed with app/orders/shopify-json.ts, which keeps
 * such numbers as text).
 */
export function exactId(value: number | string, where: string, graphqlId?: string | null): string {
  if (typeof value === "string") {
    if (!/^\d{1,20}$/.test(value.replace(/^0+(?=\d)/, ""))) throw new OrderPayloadError(`${where}: ${value.slice(0, 40)} is not a 64-bit id`);
    const digits = BigInt(value);
    if (digits > MAX_ID) throw new OrderPayloadError(`${where}: ${value} is not a 64-bit id`);
    return digits.toString();
  }
  if (Number.isSafeInteger(value)) return String(value);
  const fromGid = graphqlId ? /\/(\d+)$/.exec(graphqlId)?.[1] : undefined;
  if (fromGid !== undefined && Number(fromGid) === value) return exactId(fromGid, where);
  throw new OrderPayloadError(`${where}: the id ${value} is beyond 2^53 and was read inexactly`);
}

/**
 * An id the order can do without (variant, product, customer): one that was read inexactly is left out rather
 * than recorded wrong, with a note saying so.
 */
export function optionalId(value: number | string | null | undefined, where: string, notes: string[], graphqlId?: string | null): string | null {
  if (value === null || value === undefined) return null;
  try {
    return exactId(value, where, graphqlId);
  } catch (error) {
    if (!(error instanceof OrderPayloadError) || typeof value !== "number") throw error;
    notes.push(`${error.message}: left out`);
    return null;
  }
}

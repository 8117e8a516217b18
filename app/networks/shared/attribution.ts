// Where each network's click reference comes from on an order: the hidden cart attributes the storefront script
// writes (note_attributes), then the landing page URL Shopify recorded. Every miss says why, for the merchant.
import type { PricedOrder } from "../../orders/model.ts";

/** A UUID in either case, as a RegExp source without anchors (storefront captures take sources). */
export const UUID_SOURCE = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
export const UUID_PATTERN = new RegExp(`^${UUID_SOURCE}$`);

export type Attribution = { found: true; value: string; source: string } | { found: false; reason: string };

/** A note attribute's value, trimmed; null when absent or blank. */
export function noteAttribute(order: Pick<PricedOrder, "noteAttributes">, name: string): string | null {
  const value = order.noteAttributes[name]?.trim();
  return value ? value : null;
}

/** A query parameter of the order's landing_site ("/products/x?refid=abc"), or null. */
export function landingSiteParam(landingSite: string | null, name: string): string | null {
  if (!landingSite) return null;
  let url: URL;
  try {
    url = new URL(landingSite, "https://landing.invalid");
  } catch {
    return null;
  }
  const value = url.searchParams.get(name)?.trim();
  return value ? value : null;
}

/** The cart token as the storefront reported it: Shopify's Ajax tokens may carry "?key=..." that orders never have. */
export function withoutCartKey(token: string): string {
  return token.split("?")[0]!.trim();
}

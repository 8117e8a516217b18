// The shop header (X-Shopify-Shop-Domain) as Shopify's library accepts it, in the one spelling this app stores.
// authenticate.webhook (shopify-api's sanitizeShop, reached through getOfflineId) accepts "<name>.<domain>" for
// Shopify's domains, with a name that may hold capitals and underscores and any trailing slashes, and the admin URL
// "admin.<domain>/store/<name>"; it refuses anything else. Domain names are case-insensitive and sessions and
// settings are stored under the lower-case domain, so an accepted header is lower-cased and stripped of its
// slashes, and an admin URL becomes the shop's own domain as the library maps it.
const DOMAINS = String.raw`myshopify\.com|shopify\.com|myshopify\.io|shop\.dev`;
const SHOP_HOST = new RegExp(String.raw`^([a-zA-Z0-9][a-zA-Z0-9_-]*\.(?:${DOMAINS}))/*$`);
const SHOP_ADMIN_URL = new RegExp(String.raw`^admin\.(${DOMAINS})/store/([a-zA-Z0-9][a-zA-Z0-9_-]*)$`);

/** The shop's domain, lower-cased, or null where Shopify's library would refuse the header. */
export function shopFromHeader(value: string): string | null {
  const admin = SHOP_ADMIN_URL.exec(value);
  if (admin) return `${admin[2]!}.${admin[1] === "shop.dev" ? "shop.dev" : "myshopify.com"}`.toLowerCase();
  const host = SHOP_HOST.exec(value);
  return host ? host[1]!.toLowerCase() : null;
}

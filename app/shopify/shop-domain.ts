// The shop header (X-Shopify-Shop-Domain) as Shopify's library accepts it, in the one spelling this app stores.
// authenticate.webhook (shopify-api's sanitizeShop, reached through getOfflineId) accepts "<name>.<domain>" for
// Shopify's domains, with a name that may hold capitals and underscores and any trailing slashes, and the admin URL
// "admin.<domain>/store/<name>"; it refuses anything else. Domain names are case-insensitive and sessions and
// settings are stored under the lower-case domain, so an accepted header is lower-cased and stripped of its
// slashes, and an admin URL becomes the shop's own domain as the library maps it.
//
// SHOP_CUSTOM_DOMAIN adds one domain. shopify-api 15 has no `customShopDomains` any more (it ignores the option);
// its sanitizeShop and sanitizeHost accept the domains of `domainTransformations` instead, so the custom domain is
// given to the library as a transformation onto itself (app/shopify.server.ts) and added to the list here.
import type { DomainTransformation } from "@shopify/shopify-api";

const SHOPIFY_DOMAINS = String.raw`myshopify\.com|shopify\.com|myshopify\.io|shop\.dev`;
const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const NAME = "[a-zA-Z0-9][a-zA-Z0-9_-]*";

const escaped = (domain: string) => domain.replace(/\./g, "\\.");

/** SHOP_CUSTOM_DOMAIN, lower-cased, or null when unset; a value that is not a domain name is refused. */
export function customShopDomain(env: Record<string, string | undefined> = process.env): string | null {
  const value = env.SHOP_CUSTOM_DOMAIN?.trim().toLowerCase();
  if (!value) return null;
  if (!HOSTNAME.test(value)) throw new Error(`SHOP_CUSTOM_DOMAIN must be a domain name such as shops.example.com, not "${env.SHOP_CUSTOM_DOMAIN}"`);
  return value;
}

/**
 * The library's configuration for the custom domain: "<name>.<domain>" onto itself. The library reads the domain
 * back from the pattern's literal tail and the template (shopify-api's getTransformationDomains), so both keep
 * that shape.
 */
export function customDomainTransformations(domain: string | null): DomainTransformation[] {
  return domain ? [{ match: new RegExp(`^(${NAME})\\.${escaped(domain)}$`), transform: `$1.${domain}` }] : [];
}

let patterns: { domain: string | null; host: RegExp; admin: RegExp } | undefined;

function shopPatterns() {
  const domain = customShopDomain();
  if (patterns?.domain !== domain) {
    const domains = domain ? `${SHOPIFY_DOMAINS}|${escaped(domain)}` : SHOPIFY_DOMAINS;
    patterns = {
      domain,
      host: new RegExp(String.raw`^(${NAME}\.(?:${domains}))/*$`),
      admin: new RegExp(String.raw`^admin\.(${domains})/store/(${NAME})$`),
    };
  }
  return patterns;
}

/** The shop's domain, lower-cased, or null where Shopify's library would refuse the header. */
export function shopFromHeader(value: string): string | null {
  const { host, admin } = shopPatterns();
  const adminUrl = admin.exec(value);
  // The library maps every admin URL but shop.dev's to myshopify.com (shopify-api's shopAdminUrlToLegacyUrl).
  if (adminUrl) return `${adminUrl[2]!}.${adminUrl[1] === "shop.dev" ? "shop.dev" : "myshopify.com"}`.toLowerCase();
  const shop = host.exec(value);
  return shop ? shop[1]!.toLowerCase() : null;
}

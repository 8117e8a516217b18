// Refersion records clicks with its own tracker in the shopper's browser; the storefront script
// (app/storefront/embed) loads it with the shop's public key and reports the cart to it (PRODUCT.md "Refersion
// checkout event"). The names here are contracts with Refersion and with the server-side mapping. No imports:
// the storefront script bundles this file.
export const REFERSION_TRACKER_URL = "https://cdn.refersion.com/refersion.js";
/** The cart attribute holding the exact cart id sent to Refersion at checkout (map-conversion.ts sends it again). */
export const REFERSION_CART_ATTRIBUTE = "_refersion_cart_id";
/** Where Refersion's tracker keeps the visitor's referral in localStorage: id, affiliate id, checksum. */
export const REFERSION_VISITOR_KEYS = ["rfsn_v4_id", "rfsn_v4_aid", "rfsn_v4_cs"] as const;

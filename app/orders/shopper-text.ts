// Text from an order that a shopper controls (the landing page URL, cart attributes, discount codes; and, through
// the cart, titles and the order name) is cleaned once, at the edge: control characters are removed, so that every
// order can be stored (PostgreSQL refuses a NUL in text; one shopper's order must never fail to record) and nothing
// downstream (skip reasons, logs, the admin) carries them. Tabs and line breaks become spaces; unpaired UTF-16
// surrogates, which no database encoding can hold, become U+FFFD.

// C0 controls other than tab, LF and CR; DEL; C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const LINE_BREAKS = /[\t\n\r]/g;
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// The same characters percent-encoded in a URL (C1 ones as UTF-8, %C2%80-%C2%9F), tabs and line breaks included:
// a query parameter read from the URL would otherwise decode back into them.
const ENCODED_CONTROLS = /%(?:[01][0-9a-f]|7f|c2%[89][0-9a-f])/gi;

export function cleanText(value: string): string {
  return value.replace(LONE_SURROGATES, "\ufffd").replace(LINE_BREAKS, " ").replace(CONTROLS, "");
}

/** A URL Shopify recorded (landing_site): cleaned, and with percent-encoded control characters removed too. */
export function cleanUrl(value: string): string {
  let url = cleanText(value);
  // Removing one encoded character can join its neighbours into another ("%0%000"): until none is left.
  for (let previous = ""; previous !== url; ) {
    previous = url;
    url = url.replace(ENCODED_CONTROLS, "");
  }
  return url;
}

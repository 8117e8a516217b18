// The storefront half of Affiliate Relay, run by the theme app extension's app embed on every page. Compiled by
// scripts/build-storefront.mjs into extensions/affiliate-relay-embed/assets/affiliate-relay.min.js (what ships).
//
// It captures affiliate clicks and copies them into hidden cart attributes, which Shopify carries onto the order as
// note_attributes for the server-side delivery. What to capture comes from the configuration: one entry per network
// that is on (app/storefront/config.ts builds it from each network's storefront capture), so this file names no
// network but Refersion, whose own tracker it loads. Rules it keeps: never block rendering (loaded with defer), never
// throw into the page, store nothing and load no tracker before marketing consent (unless the merchant turned gating
// off), and do no work on a visit that has no referral and nothing stored.
import { REFERSION_CART_ATTRIBUTE, REFERSION_TRACKER_URL, REFERSION_VISITOR_KEYS } from "../../networks/refersion/storefront.ts";
import type { StorefrontCaptureConfig as Capture } from "../config.ts";
import { capturesOf, refersionKeyOf, type AnyStorefrontConfig } from "./legacy-config.ts";

/**
 * The metafield's value, in the current format or an older one (legacy-config.ts); `trackerUrl` only ever appears
 * in the local test harness (the schema rejects it).
 */
type EmbedConfig = AnyStorefrontConfig & { trackerUrl?: string };

interface Cart {
  token: string;
  attributes?: Record<string, string | null> | null;
}

interface RefersionTracker {
  pubKey: string;
  settings: Record<string, unknown>;
  initializeXDLS(): Promise<unknown>;
  launchDefault(): unknown;
  sendCheckoutEvent(cartId: string, id: string, url: string, aid: string | null, cs: string | null): unknown;
}

interface ShopifyGlobal {
  routes?: { root?: string };
  customerPrivacy?: { marketingAllowed(): boolean };
  loadFeatures?(features: Array<{ name: string; version: string }>, done: (error?: unknown) => void): void;
}

declare global {
  interface Window {
    Shopify?: ShopifyGlobal;
    TrackingSystemObject?: string;
    r?: RefersionTracker;
  }
}

const win = window;
const doc = document;
const ignore = () => {};
const shopify = () => win.Shopify;
// Shopify.routes.root carries the locale prefix ("/fr/") on translated storefronts.
const root = () => shopify()?.routes?.root || "/";

function readCookie(name: string): string | null {
  const match = doc.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
  return match ? decodeURIComponent(match[1]!) : null;
}

function writeCookie(name: string, value: string, days: number) {
  doc.cookie = `${name}=${encodeURIComponent(value)}; max-age=${days * 86400}; path=/; secure; samesite=lax`;
}

function marketingAllowedNow(config: EmbedConfig): boolean {
  try {
    return !config.consentGating || !!shopify()?.customerPrivacy?.marketingAllowed();
  } catch {
    return false;
  }
}

/** Runs `proceed` once marketing consent is known to be given: now, when the API loads, or when the visitor decides. */
function whenConsented(config: EmbedConfig, proceed: () => void) {
  let done = false;
  const check = (granted?: boolean) => {
    if (!done && (granted || marketingAllowedNow(config))) {
      done = true;
      proceed();
    }
  };
  check();
  if (done) return;
  doc.addEventListener("visitorConsentCollected", (event) => check((event as CustomEvent<{ marketingAllowed?: boolean }>).detail?.marketingAllowed));
  const api = shopify();
  if (api && !api.customerPrivacy && api.loadFeatures) {
    api.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], () => check());
  }
}

/**
 * A link that also names where to go on (the capture's `redirect` parameter, like `?click=<uuid>&deeplink=<url>`):
 * same-host targets only, anything else goes home (no open redirect). The redirect happens with or without consent.
 */
function redirectOn(config: EmbedConfig, capture: Capture, value: string, to: string) {
  let target: URL;
  try {
    target = new URL(to, location.href);
    if (target.host !== location.host || !/^https?:$/.test(target.protocol)) throw 0;
  } catch {
    target = new URL(root(), location.href);
  }
  target.searchParams.delete(capture.redirect!);
  // Without consent yet, the click travels on in the URL (nothing stored) so that it can still be kept if the
  // visitor agrees on the next page.
  if (marketingAllowedNow(config)) writeCookie(capture.cookie, value, capture.days);
  else target.searchParams.set(capture.param, value);
  location.replace(target.href);
}

async function cartCall(path: string, attributes?: Record<string, string>): Promise<Cart> {
  const response = await fetch(root() + path, {
    method: attributes ? "POST" : "GET",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: attributes ? JSON.stringify({ attributes }) : undefined,
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error("cart " + response.status);
  return (await response.json()) as Cart;
}

/** The order's cart_token never carries the Ajax cart's `?key=` part: Refersion must see the same value. */
const bareToken = (token: string) => token.split("?")[0]!;

function refersionVisitor(): [string, string | null, string | null] | null {
  try {
    const store = win.localStorage;
    const [idKey, aidKey, csKey] = REFERSION_VISITOR_KEYS;
    const id = store.getItem(idKey);
    return id && typeof win.r?.sendCheckoutEvent == "function" ? [id, store.getItem(aidKey), store.getItem(csKey)] : null;
  } catch {
    return null;
  }
}

async function syncCart(config: EmbedConfig, withRefersion: boolean) {
  const wanted: Record<string, string> = {};
  for (const capture of captures(config)) {
    const value = readCookie(capture.cookie);
    if (value) wanted[capture.attribute] = value;
  }
  const visitor = withRefersion ? refersionVisitor() : null;
  if (!visitor && !Object.keys(wanted).length) return;
  let cart = await cartCall("cart.js");
  // The Ajax cart's token changes on every read until the cart exists; writing an attribute creates it. So a write
  // that comes back with another token is repeated with the lasting one before Refersion is told about it.
  for (let round = 0; round < 3; round++) {
    const token = bareToken(cart.token);
    const current = cart.attributes || {};
    const changes: Record<string, string> = {};
    for (const name in wanted) if (current[name] !== wanted[name]) changes[name] = wanted[name]!;
    if (visitor && current[REFERSION_CART_ATTRIBUTE] !== token) changes[REFERSION_CART_ATTRIBUTE] = token;
    if (!Object.keys(changes).length) return;
    const updated = await cartCall("cart/update.js", changes);
    if (bareToken(updated.token) === token) {
      if (changes[REFERSION_CART_ATTRIBUTE]) win.r!.sendCheckoutEvent(token, visitor![0], location.href, visitor![1], visitor![2]);
      return;
    }
    cart = updated;
  }
}

let queue: Promise<unknown> = Promise.resolve();
const sync = (config: EmbedConfig, withRefersion: boolean) => {
  queue = queue.then(() => syncCart(config, withRefersion)).catch(ignore);
};

/** Refersion's own loader, as its snippet does it: async script, public key, fp_off, initializeXDLS, launchDefault. */
function loadRefersion(config: EmbedConfig, then: () => void) {
  let settled = false;
  const finish = () => {
    if (!settled) {
      settled = true;
      then();
    }
  };
  const script = doc.createElement("script");
  script.async = true;
  script.src = config.trackerUrl || REFERSION_TRACKER_URL;
  win.TrackingSystemObject = "r";
  script.onload = () => {
    try {
      const r = win.r!;
      r.pubKey = refersionKeyOf(config)!;
      r.settings.fp_off = true;
      r.initializeXDLS()
        .then(() => r.launchDefault())
        .then(finish, finish);
    } catch {
      finish();
    }
  };
  script.onerror = finish;
  // A tracker that never settles must not hold the other networks' attributes back.
  setTimeout(finish, 8000);
  doc.head.appendChild(script);
}

const captures = (config: EmbedConfig): Capture[] => capturesOf(config);

function run(config: EmbedConfig) {
  const query = new URLSearchParams(location.search);
  const landed: Array<[Capture, string]> = [];
  let stored = false;
  for (const capture of captures(config)) {
    const value = query.get(capture.param);
    if (value && new RegExp("^(?:" + capture.pattern + ")$").test(value)) {
      const to = capture.redirect && query.get(capture.redirect);
      if (to != null) return redirectOn(config, capture, value, to);
      landed.push([capture, value]);
    }
    stored ||= !!readCookie(capture.cookie);
  }
  const refersion = !!refersionKeyOf(config);
  if (!refersion && !landed.length && !stored) return;
  whenConsented(config, () => {
    for (const [capture, value] of landed) writeCookie(capture.cookie, value, capture.days);
    if (refersion) loadRefersion(config, () => sync(config, true));
    else sync(config, false);
  });
}

try {
  run(JSON.parse(doc.getElementById("affiliate-relay-config")!.textContent!) as EmbedConfig);
} catch {
  // A broken configuration or an unusual page must never surface as an error in the merchant's storefront.
}

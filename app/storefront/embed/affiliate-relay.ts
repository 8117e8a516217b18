// The storefront half of Affiliate Relay, run by the theme app extension's app embed on every page. Compiled by
// scripts/build-storefront.mjs into extensions/affiliate-relay-embed/assets/affiliate-relay.min.js (what ships).
//
// It captures affiliate clicks (Refersion through Refersion's own tracker, Retrack and FlexOffers from the landing
// URL) and copies them into hidden cart attributes, which Shopify carries onto the order as note_attributes for
// the server-side delivery. Rules it keeps: never block rendering (loaded with defer), never throw into the page,
// store nothing and load no tracker before marketing consent (unless the merchant turned gating off), and do no
// work on a visit that has no referral and nothing stored.
import type { StorefrontConfig } from "../config.ts";

/** The metafield's value; `trackerUrl` only ever appears in the local test harness (the schema rejects it). */
type EmbedConfig = StorefrontConfig & { trackerUrl?: string };

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

const RETRACK_COOKIE = "retrack_click";
const FLEXOFFERS_COOKIE = "flexoffers_refid";
// Attribute names are a contract with the server (app/orders): keep them exactly.
const RETRACK_ATTRIBUTE = "_retrack_click";
const FLEXOFFERS_ATTRIBUTE = "_flexoffers_refid";
const REFERSION_ATTRIBUTE = "_refersion_cart_id";
const REFERSION_TRACKER = "https://cdn.refersion.com/refersion.js";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** The Retrack link: `?click=<uuid>&deeplink=<url>`. Same-host deeplinks only; anything else goes home. */
function retrackRedirect(config: EmbedConfig, click: string, deeplink: string) {
  let target: URL;
  try {
    target = new URL(deeplink, location.href);
    if (target.host !== location.host || !/^https?:$/.test(target.protocol)) throw 0;
  } catch {
    target = new URL(root(), location.href);
  }
  target.searchParams.delete("deeplink");
  // Without consent yet, the click travels on in the URL (nothing stored) so that it can still be kept if the
  // visitor agrees on the next page.
  if (marketingAllowedNow(config)) writeCookie(RETRACK_COOKIE, click, config.retrack.cookieDays);
  else target.searchParams.set("click", click);
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
    const id = store.getItem("rfsn_v4_id");
    return id && typeof win.r?.sendCheckoutEvent == "function" ? [id, store.getItem("rfsn_v4_aid"), store.getItem("rfsn_v4_cs")] : null;
  } catch {
    return null;
  }
}

async function syncCart(config: EmbedConfig, withRefersion: boolean) {
  const wanted: Record<string, string> = {};
  const click = config.retrack.enabled && readCookie(RETRACK_COOKIE);
  const refid = config.flexoffers.enabled && readCookie(FLEXOFFERS_COOKIE);
  if (click) wanted[RETRACK_ATTRIBUTE] = click;
  if (refid) wanted[FLEXOFFERS_ATTRIBUTE] = refid;
  const visitor = withRefersion ? refersionVisitor() : null;
  if (!visitor && !click && !refid) return;
  let cart = await cartCall("cart.js");
  // The Ajax cart's token changes on every read until the cart exists; writing an attribute creates it. So a write
  // that comes back with another token is repeated with the lasting one before Refersion is told about it.
  for (let round = 0; round < 3; round++) {
    const token = bareToken(cart.token);
    const current = cart.attributes || {};
    const changes: Record<string, string> = {};
    for (const name in wanted) if (current[name] !== wanted[name]) changes[name] = wanted[name]!;
    if (visitor && current[REFERSION_ATTRIBUTE] !== token) changes[REFERSION_ATTRIBUTE] = token;
    if (!Object.keys(changes).length) return;
    const updated = await cartCall("cart/update.js", changes);
    if (bareToken(updated.token) === token) {
      if (changes[REFERSION_ATTRIBUTE]) win.r!.sendCheckoutEvent(token, visitor![0], location.href, visitor![1], visitor![2]);
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
  script.src = config.trackerUrl || REFERSION_TRACKER;
  win.TrackingSystemObject = "r";
  script.onload = () => {
    try {
      const r = win.r!;
      r.pubKey = config.refersion.publicKey;
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

function run(config: EmbedConfig) {
  const query = new URLSearchParams(location.search);
  const clickParam = query.get("click");
  const click = config.retrack.enabled && clickParam && UUID.test(clickParam) ? clickParam : null;
  const deeplink = click && query.get("deeplink");
  if (click && deeplink != null) return retrackRedirect(config, click, deeplink);
  const refidParam = query.get("refid");
  const refid = config.flexoffers.enabled && refidParam && refidParam.length <= 200 ? refidParam : null;
  const stored = (config.retrack.enabled && readCookie(RETRACK_COOKIE)) || (config.flexoffers.enabled && readCookie(FLEXOFFERS_COOKIE));
  if (!config.refersion.enabled && !click && !refid && !stored) return;
  whenConsented(config, () => {
    if (click) writeCookie(RETRACK_COOKIE, click, config.retrack.cookieDays);
    if (refid) writeCookie(FLEXOFFERS_COOKIE, refid, config.flexoffers.cookieDays);
    if (config.refersion.enabled) loadRefersion(config, () => sync(config, true));
    else sync(config, false);
  });
}

try {
  run(JSON.parse(doc.getElementById("affiliate-relay-config")!.textContent!) as EmbedConfig);
} catch {
  // A broken configuration or an unusual page must never surface as an error in the merchant's storefront.
}

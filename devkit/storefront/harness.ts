// A local storefront for the app embed: renders the extension's real Liquid block (liquidjs) with a metafield
// value, serves the committed script asset, fakes Shopify's Ajax cart (/cart.js, /cart/update.js), stands in for
// Shopify's Customer Privacy API, and serves a stand-in for Refersion's tracker from a second loopback origin that
// records every call made to it. Used by the browser tests and by bench/storefront.bench.ts.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Liquid, type TagToken, type TopLevelToken } from "liquidjs";
import type { Browser, BrowserContext } from "playwright-core";
import { networks } from "../../app/networks/registry.ts";
import { storefrontConfigFromSettings } from "../../app/storefront/config.ts";

const root = path.resolve(import.meta.dirname, "../..");
export const extensionDir = path.join(root, "extensions/affiliate-relay-embed");
export const blockFile = path.join(extensionDir, "blocks/app-embed.liquid");
export const assetFile = path.join(extensionDir, "assets/affiliate-relay.min.js");
export const artifactsDir = path.join(root, "test/.artifacts");

export type PrivacyMode = "none" | "preloaded" | "load-features";
export type TrackerMode = "ok" | "missing" | "throws" | "rejects";

export interface Scenario {
  /** The value of app.metafields.affiliate_relay.config; null renders the shop as not configured. */
  metafield: Record<string, unknown> | null;
  /** How Shopify's Customer Privacy API is present: already loaded, loaded on demand through loadFeatures, absent. */
  privacy: PrivacyMode;
  /** Marketing consent before the visitor decides (a region without a consent requirement answers true). */
  consent: "granted" | "denied";
  tracker: TrackerMode;
  cartFails: boolean;
}

export interface CartEntry {
  id: string;
  token: string;
  attributes: Record<string, string>;
}

export interface CartRequest {
  method: string;
  path: string;
  body: unknown;
  referer: string | null;
}

export interface TrackerCall {
  call: string;
  args: unknown[];
  page: string;
}

export const PUBLIC_KEY = "pub_0123456789abcdef";

type SettingsBlock = { enabled: boolean } & Record<string, unknown>;
export type MetafieldOverrides = { consentGating?: boolean } & { [networkId: string]: SettingsBlock | boolean | undefined };

/**
 * A metafield value exactly as storefrontConfigFromSettings makes it from a settings file, plus the harness-only
 * tracker URL. Every registered network is on with its placeholder settings (Refersion with PUBLIC_KEY) unless
 * `overrides` gives its settings block.
 */
export function metafieldFor(harness: Harness, overrides: MetafieldOverrides = {}) {
  const { consentGating, ...blocks } = overrides;
  const networksOn: Record<string, SettingsBlock> = {};
  for (const network of networks) networksOn[network.id] = { ...(network.placeholderSettings ?? {}), enabled: true };
  networksOn.refersion = { ...networksOn.refersion, enabled: true, publicKey: PUBLIC_KEY };
  const settings = { consentGating: typeof consentGating === "boolean" ? consentGating : true, networks: { ...networksOn, ...blocks } };
  return { ...storefrontConfigFromSettings(settings), trackerUrl: `${harness.trackerOrigin}/refersion.js` };
}

/** A landing query the tracker stand-in records a referral from (its own tracker's link, as the network's links carry it). */
export const TRACKER_REFERRAL = "rfsn=4711.a1b2c3";

/** The networks whose clicks the script captures from a landing parameter, with their declarations. */
export const capturing = networks.flatMap((network) => (network.storefront ? [{ id: network.id, label: network.label, capture: network.storefront }] : []));

/** A landing query carrying every capturing network's example click (none with a redirect target). */
export const everyCapturedClick = () => new URLSearchParams(capturing.map(({ capture }) => [capture.param, capture.example])).toString();

/** Settings blocks switching off every network that runs its own tracker (Refersion): for pages without a tracker. */
export function ownTrackersOff(): Record<string, SettingsBlock> {
  return Object.fromEntries(networks.filter((network) => network.ownTracker).map((network) => [network.id, { ...(network.placeholderSettings ?? {}), enabled: false }]));
}

/** Settings blocks switching every network off: spread, then switch on the ones a test needs. */
export function allOff(): Record<string, SettingsBlock> {
  return Object.fromEntries(networks.map((network) => [network.id, { ...(network.placeholderSettings ?? {}), enabled: false }]));
}

function liquidEngine(): Liquid {
  const engine = new Liquid({ strictFilters: true });
  // Shopify strips {% schema %} from the output; the harness does the same (test/storefront checks its JSON).
  engine.registerTag("schema", {
    parse(_token: TagToken, remaining: TopLevelToken[]) {
      for (let token = remaining.shift(); token; token = remaining.shift()) {
        if ((token as TagToken).name === "endschema") return;
      }
      throw new Error("{% schema %} is not closed");
    },
    render() {
      return "";
    },
  });
  engine.registerFilter("asset_url", (name: string) => `/assets/${name}`);
  return engine;
}

export function renderBlock(metafield: Record<string, unknown> | null): string {
  const engine = liquidEngine();
  const template = engine.parse(readFileSync(blockFile, "utf8"));
  const config = metafield ? { value: metafield, type: "json" } : undefined;
  return engine.renderSync(template, { app: { metafields: { affiliate_relay: { config } } } }) as string;
}

function privacyStandIn(scenario: Scenario): string {
  // Persisted in a cookie like Shopify's own consent cookie, so a decision survives navigation.
  return `<script>
window.Shopify = { routes: { root: "/" }, shop: "harness.myshopify.com" };
(function () {
  var initially = ${JSON.stringify(scenario.consent === "granted")};
  function decided() { return /(?:^|; )_harness_consent=granted/.test(document.cookie); }
  function install() {
    Shopify.customerPrivacy = {
      marketingAllowed: function () { return initially || decided(); },
      analyticsProcessingAllowed: function () { return initially || decided(); }
    };
  }
  var mode = ${JSON.stringify(scenario.privacy)};
  if (mode === "preloaded") install();
  if (mode === "load-features") {
    Shopify.loadFeatures = function (features, done) {
      window.__harnessFeatureLoads = (window.__harnessFeatureLoads || []).concat([features]);
      setTimeout(function () { install(); done(null); }, 30);
    };
  }
  window.__harnessGrantConsent = function () {
    document.cookie = "_harness_consent=granted; path=/";
    install();
    document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: {
      analyticsAllowed: true, firstPartyMarketingAllowed: true, marketingAllowed: true,
      preferencesAllowed: true, saleOfDataAllowed: true, thirdPartyMarketingAllowed: true } }));
  };
})();
</script>`;
}

function storePage(scenario: Scenario, pathname: string, embed: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Harness Store</title>
<style>
  body { font-family: "Liberation Sans", Arial, sans-serif; margin: 0; color: #1a1a1a; }
  header { background: #12355b; color: #fff; padding: 1rem 2rem; }
  main { padding: 2rem; }
  .product { border: 1px solid #ccc; border-radius: 8px; padding: 1rem; width: 18rem; }
  button { background: #e0a100; border: 0; border-radius: 4px; padding: .6rem 1.2rem; font-size: 1rem; }
</style>
${privacyStandIn(scenario)}
${embed ? renderBlock(scenario.metafield) : ""}
</head>
<body>
<header><h1>Harness Store</h1></header>
<main>
  <p>Page: <code id="path">${pathname.replace(/[<>&"]/g, "")}</code></p>
  <div class="product"><h2>Linen shirt</h2><p>€49.00</p><button type="button">Add to cart</button></div>
  <p id="theme-script">theme script has not run</p>
</main>
<script>document.getElementById("theme-script").textContent = "theme script ran";</script>
</body>
</html>`;
}

const trackerStandIn = (origin: string, mode: TrackerMode) => `(function () {
  function record(call, args) {
    fetch(${JSON.stringify(origin)} + "/record", { method: "POST", mode: "no-cors", keepalive: true,
      body: JSON.stringify({ call: call, args: args, page: location.href }) });
  }
  ${mode === "throws" ? 'record("loaded-broken", []); throw new Error("refersion stand-in: broken build");' : ""}
  var r = window[window.TrackingSystemObject || "r"] = { settings: {} };
  r.initializeXDLS = function () {
    record("initializeXDLS", [r.pubKey, r.settings.fp_off]);
    return ${mode === "rejects" ? 'Promise.reject(new Error("XDLS unavailable"))' : "Promise.resolve()"};
  };
  r.launchDefault = function () {
    var link = new URLSearchParams(location.search).get("rfsn");
    if (link) {
      localStorage.setItem("rfsn_v4_id", "v4-" + link);
      localStorage.setItem("rfsn_v4_aid", link.split(".")[0]);
      localStorage.setItem("rfsn_v4_cs", "cs-" + link);
    }
    record("launchDefault", [link]);
    return Promise.resolve();
  };
  r.sendCheckoutEvent = function () { record("sendCheckoutEvent", Array.prototype.slice.call(arguments)); };
})();`;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(request: IncomingMessage, response: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
  // Compressed like Shopify's CDN and Refersion's would serve it, so the byte counts mean something.
  const gzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? "")) && body.length > 0;
  const payload = gzip ? gzipSync(body) : Buffer.from(body);
  response.writeHead(status, { "Content-Type": type, "Content-Length": String(payload.length), ...(gzip ? { "Content-Encoding": "gzip" } : {}), ...headers });
  response.end(payload);
}

const newToken = () => `hWN${randomBytes(12).toString("hex")}?key=${randomBytes(8).toString("hex")}`;

function cookieValue(request: IncomingMessage, name: string): string | null {
  const match = String(request.headers.cookie ?? "").match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return match ? decodeURIComponent(match[1]!) : null;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

export class Harness {
  scenario: Scenario = { metafield: null, privacy: "preloaded", consent: "granted", tracker: "ok", cartFails: false };
  readonly carts = new Map<string, CartEntry>();
  readonly cartRequests: CartRequest[] = [];
  readonly trackerCalls: TrackerCall[] = [];
  readonly trackerLoads: string[] = [];
  storeOrigin = "";
  trackerOrigin = "";
  private readonly store = createServer((req, res) => void this.handleStore(req, res).catch((error) => send(req, res, 500, "text/plain", String(error))));
  private readonly tracker = createServer((req, res) => void this.handleTracker(req, res).catch((error) => send(req, res, 500, "text/plain", String(error))));

  async start(): Promise<this> {
    this.storeOrigin = await listen(this.store);
    this.trackerOrigin = await listen(this.tracker);
    return this;
  }

  async stop(): Promise<void> {
    this.store.closeAllConnections();
    this.tracker.closeAllConnections();
    await Promise.all([new Promise((r) => this.store.close(r)), new Promise((r) => this.tracker.close(r))]);
  }

  /** A fresh shop for the next test: scenario replaced, carts and recordings cleared. */
  reset(scenario: Partial<Scenario>): void {
    this.scenario = { metafield: null, privacy: "preloaded", consent: "granted", tracker: "ok", cartFails: false, ...scenario };
    this.carts.clear();
    this.cartRequests.length = 0;
    this.trackerCalls.length = 0;
    this.trackerLoads.length = 0;
  }

  /** Gives every existing cart a new token (as Shopify does when a cart is replaced), keeping its attributes. */
  rotateCartTokens(): void {
    for (const cart of this.carts.values()) cart.token = newToken();
  }

  onlyCart(): CartEntry {
    const carts = [...this.carts.values()];
    if (carts.length !== 1) throw new Error(`expected exactly one cart, found ${carts.length}`);
    return carts[0]!;
  }

  updates(): CartRequest[] {
    return this.cartRequests.filter((r) => r.path === "/cart/update.js");
  }

  calls(name: string): TrackerCall[] {
    return this.trackerCalls.filter((c) => c.call === name);
  }

  private cartJson(cart: CartEntry) {
    return JSON.stringify({
      token: cart.token,
      note: null,
      attributes: cart.attributes,
      original_total_price: 0,
      total_price: 0,
      total_discount: 0,
      total_weight: 0,
      item_count: 0,
      items: [],
      requires_shipping: false,
      currency: "EUR",
      items_subtotal_price: 0,
      cart_level_discount_applications: [],
    });
  }

  private async handleStore(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.storeOrigin);
    if (url.pathname === "/cart.js" || url.pathname === "/cart/update.js") return this.handleCart(req, res, url.pathname);
    if (url.pathname === "/assets/affiliate-relay.min.js") {
      return send(req, res, 200, "application/javascript", readFileSync(assetFile, "utf8"), { "Cache-Control": "no-store" });
    }
    if (url.pathname === "/favicon.ico") return send(req, res, 204, "image/x-icon", "");
    return send(req, res, 200, "text/html; charset=utf-8", storePage(this.scenario, url.pathname, url.searchParams.get("no_embed") !== "1"));
  }

  // Shopify's Ajax cart: reading without a cart answers a new token every time and creates nothing; the first
  // write creates the cart (and its cookie); tokens carry a "?key=" suffix; an empty value removes an attribute.
  private async handleCart(req: IncomingMessage, res: ServerResponse, pathname: string) {
    const raw = req.method === "POST" ? await readBody(req) : "";
    const body = raw ? (JSON.parse(raw) as unknown) : null;
    this.cartRequests.push({ method: req.method ?? "GET", path: pathname, body, referer: req.headers.referer ?? null });
    if (this.scenario.cartFails) return send(req, res, 500, "application/json", JSON.stringify({ status: 500, message: "Internal error" }));
    const existing = this.carts.get(cookieValue(req, "cart") ?? "");
    if (pathname === "/cart.js") {
      if (req.method !== "GET") return send(req, res, 405, "text/plain", "GET only");
      return send(req, res, 200, "application/json", this.cartJson(existing ?? { id: "", token: newToken(), attributes: {} }));
    }
    if (req.method !== "POST") return send(req, res, 405, "text/plain", "POST only");
    if (!String(req.headers["content-type"]).startsWith("application/json")) return send(req, res, 415, "text/plain", "JSON only");
    const attributes = (body as { attributes?: unknown } | null)?.attributes;
    if (!attributes || typeof attributes !== "object") {
      return send(req, res, 422, "application/json", JSON.stringify({ status: 422, message: "attributes missing" }));
    }
    const cart = existing ?? { id: randomBytes(8).toString("hex"), token: newToken(), attributes: {} };
    this.carts.set(cart.id, cart);
    for (const [name, value] of Object.entries(attributes as Record<string, unknown>)) {
      if (value === "" || value === null) delete cart.attributes[name];
      else cart.attributes[name] = String(value);
    }
    return send(req, res, 200, "application/json", this.cartJson(cart), existing ? {} : { "Set-Cookie": `cart=${cart.id}; path=/; SameSite=Lax` });
  }

  private async handleTracker(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.trackerOrigin);
    if (url.pathname === "/refersion.js") {
      this.trackerLoads.push(String(req.headers.referer ?? ""));
      if (this.scenario.tracker === "missing") return send(req, res, 404, "text/plain", "not found");
      return send(req, res, 200, "application/javascript", trackerStandIn(this.trackerOrigin, this.scenario.tracker));
    }
    if (url.pathname === "/record" && req.method === "POST") {
      this.trackerCalls.push(JSON.parse(await readBody(req)) as TrackerCall);
      return send(req, res, 204, "text/plain", "", { "Access-Control-Allow-Origin": "*" });
    }
    return send(req, res, 404, "text/plain", "not found");
  }
}

export { launchChromium } from "../chromium.ts";

/** A fresh visitor: no cookies or storage, and every request that is not to a loopback address refused. */
export async function visitorContext(browser: Browser): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const { hostname } = new URL(route.request().url());
    if (hostname === "127.0.0.1" || hostname === "localhost") return route.continue();
    blocked.push(route.request().url());
    return route.abort("blockedbyclient");
  });
  return { context, blocked };
}

/** Polls until `check` stops throwing (or returns true), then returns its value: conditions, not sleeps. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000, what = "condition"): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== false) return value as Exclude<T, false>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

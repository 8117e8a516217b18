// Real Chromium for admin pages: loopback only. App Bridge's CDN script is answered by a small local stand-in
// (the real one needs Shopify admin around the iframe); Shopify's font stylesheet by an empty one; every other
// request past loopback is refused and recorded, so a test can fail on it.
import type { Browser, BrowserContext } from "playwright-core";
import { isLoopback } from "../chromium.ts";

export { launchChromium } from "../chromium.ts";

export const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
const INTER_FONT_URL = "https://cdn.shopify.com/static/fonts/inter/v4/styles.css";

// What the app relies on from App Bridge: a `shopify` global with the API key and a session token source;
// <ui-nav-menu>, whose links App Bridge moves into Shopify admin's own navigation (nothing shows in the iframe);
// and, like App Bridge, a fetch that adds a fresh session token to every request to the app's own origin (Remix's
// data requests and form submissions), so pages keep working after the first document load.
const appBridgeStandIn = `
  customElements.define("ui-nav-menu", class extends HTMLElement {});
  document.head.appendChild(document.createElement("style")).textContent = "ui-nav-menu { display: none; }";
  window.shopify = {
    config: { apiKey: document.currentScript && document.currentScript.dataset.apiKey },
    environment: { embedded: true, mobile: false, pos: false },
    idToken: function () { return window.__sessionToken(); },
    toast: { show: function () {} },
    loading: function (on) { window.__loading = Boolean(on); },
  };
  var nativeFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, location.href);
    if (url.origin !== location.origin) return nativeFetch(input, init);
    return window.shopify.idToken().then(function (token) {
      var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
      return nativeFetch(input, Object.assign({}, init, { headers: headers }));
    });
  };
  window.__appBridgeStandIn = true;
`;

/**
 * A context whose requests stay on this machine; `blocked` collects every refused URL. `sessionToken` is the
 * token App Bridge hands out, or a function signing a fresh one each time (tokens live one minute in Shopify).
 */
export async function adminContext(browser: Browser, sessionToken: string | (() => string)): Promise<{ context: BrowserContext; blocked: string[] }> {
  // Headless Chromium names itself HeadlessChrome, which shopify-app-remix answers as a bot (410).
  const userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Safari/537.36`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent });
  const blocked: string[] = [];
  await context.exposeFunction("__sessionToken", () => (typeof sessionToken === "string" ? sessionToken : sessionToken()));
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || isLoopback(url)) return route.continue();
    if (url.href === APP_BRIDGE_URL) {
      return route.fulfill({ status: 200, contentType: "text/javascript", body: appBridgeStandIn });
    }
    if (url.href === INTER_FONT_URL) return route.fulfill({ status: 200, contentType: "text/css", body: "" });
    blocked.push(url.href);
    return route.abort("blockedbyclient");
  });
  return { context, blocked };
}

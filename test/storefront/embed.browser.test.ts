// The app embed in real Chromium against the local storefront harness (devkit/storefront/harness.ts): one browser
// for the file, a fresh visitor (context) per test, every non-loopback request refused.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  allOff,
  artifactsDir,
  capturing,
  eventually,
  everyCapturedClick,
  Harness,
  launchChromium,
  metafieldFor,
  PUBLIC_KEY,
  type Scenario,
  TRACKER_REFERRAL,
  visitorContext,
} from "../../devkit/storefront/harness.ts";

const DAY = 86_400;
/** A landing query carrying every capturing network's example click (none with a redirect target). */
const everyClick = everyCapturedClick();
const everyAttribute = Object.fromEntries(capturing.map(({ capture }) => [capture.cartAttribute, capture.example]));

let harness: Harness;
let browser: Browser;
let context: BrowserContext | null = null;
let blocked: string[] = [];
let pageErrors: string[] = [];

beforeAll(async () => {
  harness = await new Harness().start();
  browser = await launchChromium();
  mkdirSync(artifactsDir, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await harness?.stop();
});

afterEach(async () => {
  // No test may reach past loopback, and nothing the embed does may surface as a page error.
  expect(blocked).toEqual([]);
  expect(pageErrors).toEqual([]);
  await context?.close();
  context = null;
});

async function visitor(scenario: Partial<Scenario>): Promise<Page> {
  harness.reset(scenario);
  ({ context, blocked } = await visitorContext(browser));
  pageErrors = [];
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${String(error)}\n${error.stack ?? ""}`));
  return page;
}

/** Loads a page and waits until the embed's work for it is over (network quiet for 500 ms). */
async function visit(page: Page, pathAndQuery: string) {
  await page.goto(harness.storeOrigin + pathAndQuery, { waitUntil: "load", timeout: 30_000 });
  await page.waitForLoadState("networkidle", { timeout: 30_000 });
  await expect(page.locator("#theme-script").textContent()).resolves.toBe("theme script ran");
}

async function cookie(name: string) {
  return (await context!.cookies()).find((c) => c.name === name);
}

async function localStorageKeys(page: Page) {
  return page.evaluate(() => Object.keys(localStorage).sort());
}

function expectCookieWindow(found: { expires: number } | undefined, days: number) {
  expect(found).toBeDefined();
  const remaining = found!.expires - Date.now() / 1000;
  expect(remaining).toBeGreaterThan(days * DAY - 120);
  expect(remaining).toBeLessThanOrEqual(days * DAY + 5);
}

async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(artifactsDir, `storefront-${name}.png`) });
}

const bare = (token: string) => token.split("?")[0]!;

describe("Refersion", () => {
  it("a referral ends in one sendCheckoutEvent with the bare, lasting cart token, recorded in _refersion_cart_id", async () => {
    const page = await visitor({ metafield: metafieldFor(harness) });
    await visit(page, "/?rfsn=4711.a1b2c3");

    const sent = await eventually(() => harness.calls("sendCheckoutEvent").length === 1 && harness.calls("sendCheckoutEvent")[0]!, 15_000, "sendCheckoutEvent");
    const cart = harness.onlyCart();
    expect(cart.token).toContain("?key=");
    expect(sent.args).toEqual([bare(cart.token), "v4-4711.a1b2c3", `${harness.storeOrigin}/?rfsn=4711.a1b2c3`, "4711", "cs-4711.a1b2c3"]);
    expect(cart.attributes).toEqual({ _refersion_cart_id: bare(cart.token) });
    // Loaded as Refersion's snippet does it.
    expect(harness.calls("initializeXDLS")[0]!.args).toEqual([PUBLIC_KEY, true]);
    expect(harness.calls("launchDefault")).toHaveLength(1);

    // Later pages: the tracker loads again, the cart is read once, nothing is written or sent again.
    const requestsBefore = harness.cartRequests.length;
    await visit(page, "/products/linen-shirt");
    await eventually(() => harness.cartRequests.slice(requestsBefore).some((r) => r.referer?.endsWith("/products/linen-shirt")), 15_000, "cart read on page 2");
    await page.waitForLoadState("networkidle");
    expect(harness.cartRequests.slice(requestsBefore).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /cart.js"]);
    expect(harness.calls("sendCheckoutEvent")).toHaveLength(1);
    await screenshot(page, "refersion-referral");
  });

  it("sends again, and updates the attribute, when the cart's token changes", async () => {
    const page = await visitor({ metafield: metafieldFor(harness) });
    await visit(page, "/?rfsn=4711.a1b2c3");
    await eventually(() => harness.calls("sendCheckoutEvent").length === 1, 15_000, "first sendCheckoutEvent");
    const firstToken = bare(harness.onlyCart().token);

    harness.rotateCartTokens();
    const newToken = bare(harness.onlyCart().token);
    expect(newToken).not.toBe(firstToken);
    await visit(page, "/collections/all");
    const calls = await eventually(() => harness.calls("sendCheckoutEvent").length === 2 && harness.calls("sendCheckoutEvent"), 15_000, "second sendCheckoutEvent");
    expect(calls.map((c) => c.args[0])).toEqual([firstToken, newToken]);
    expect(calls[1]!.args.slice(1)).toEqual(["v4-4711.a1b2c3", `${harness.storeOrigin}/collections/all`, "4711", "cs-4711.a1b2c3"]);
    await eventually(() => harness.onlyCart().attributes._refersion_cart_id === newToken, 15_000, "attribute updated");
  });

  it("loads only the tracker on a visit with no referral and nothing stored: no cart request, no storage", async () => {
    const page = await visitor({ metafield: metafieldFor(harness) });
    await visit(page, "/");
    await eventually(() => harness.calls("launchDefault").length === 1, 15_000, "tracker launched");
    await page.waitForLoadState("networkidle");
    expect(harness.cartRequests).toEqual([]);
    expect(harness.calls("sendCheckoutEvent")).toEqual([]);
    expect(await localStorageKeys(page)).toEqual([]);
    expect((await context!.cookies()).map((c) => c.name)).toEqual([]);
  });
});

// Every network that captures a click from a landing parameter, straight from the registry: a new network's
// capture is tested here without a line of its own.
describe.each(capturing)("$label capture", ({ id, capture }) => {
  const configurable = "setting" in capture.days;
  const days = "fixed" in capture.days ? capture.days.fixed : 45;
  /** Only this network on (Refersion off), with a merchant's window of 45 days where it has one. */
  const onlyThis = () => metafieldFor(harness, { ...allOff(), [id]: { ...allOff()[id]!, enabled: true, ...(configurable ? { [(capture.days as { setting: string }).setting]: 45 } : {}) } });
  const landing = `/products/linen-shirt?${new URLSearchParams({ [capture.param]: capture.example })}`;

  it(`?${capture.param}= reaches the ${capture.cookie} cookie and the ${capture.cartAttribute} attribute, written once, without leaving the page`, async () => {
    const page = await visitor({ metafield: onlyThis() });
    await visit(page, landing);
    expect(page.url()).toBe(harness.storeOrigin + landing);
    const stored = await cookie(capture.cookie);
    expect(stored).toMatchObject({ value: capture.example, path: "/", secure: true, sameSite: "Lax" });
    expectCookieWindow(stored, days);
    await eventually(() => harness.onlyCart().attributes[capture.cartAttribute] === capture.example, 15_000, `${capture.cartAttribute} attribute`);
    expect(harness.onlyCart().attributes).toEqual({ [capture.cartAttribute]: capture.example });
    expect(harness.updates()).toHaveLength(1);

    // Unchanged on the next page: read, compared, not written.
    await visit(page, "/collections/all");
    await eventually(() => harness.cartRequests.some((r) => r.referer?.endsWith("/collections/all")), 15_000, "cart read on page 2");
    await page.waitForLoadState("networkidle");
    expect(harness.updates()).toHaveLength(1);
    // No Refersion: the tracker is never requested.
    expect(harness.trackerLoads).toEqual([]);
  });

  it("a value its pattern refuses is not kept: no cookie, no cart request", async () => {
    const page = await visitor({ metafield: onlyThis() });
    await visit(page, `/?${new URLSearchParams({ [capture.param]: "x".repeat(1000) })}`);
    expect((await context!.cookies()).map((c) => c.name)).toEqual([]);
    expect(harness.cartRequests).toEqual([]);
  });

  it("switched off, its parameter does nothing (every other network on, Refersion aside)", async () => {
    const page = await visitor({ metafield: metafieldFor(harness, { refersion: { enabled: false, publicKey: "" }, [id]: { ...allOff()[id]!, enabled: false } }) });
    await visit(page, landing);
    expect((await context!.cookies()).map((c) => c.name)).toEqual([]);
    expect(harness.cartRequests).toEqual([]);
  });
});

describe.each(capturing.filter(({ capture }) => capture.redirectParam))("$label redirect", ({ capture }) => {
  const value = capture.example;
  const link = (path: string, to: string) => `${path}?${new URLSearchParams({ [capture.param]: value, [capture.redirectParam!]: to })}`;

  it("keeps the click and sends the shopper on to a same-host target", async () => {
    const page = await visitor({ metafield: metafieldFor(harness) });
    const target = `${harness.storeOrigin}/products/linen-shirt?variant=42`;
    await visit(page, link("/", target));
    expect(page.url()).toBe(target);

    const stored = await cookie(capture.cookie);
    expect(stored).toMatchObject({ value, path: "/", secure: true, sameSite: "Lax" });
    expectCookieWindow(stored, "fixed" in capture.days ? capture.days.fixed : capture.days.default);
    await eventually(() => harness.onlyCart().attributes[capture.cartAttribute] === value, 15_000, `${capture.cartAttribute} attribute`);
    await screenshot(page, `${capture.cookie}-redirect`);
  });

  it.each([
    ["another host", "https://evil.example/phish"],
    ["a protocol-relative URL", "//evil.example/phish"],
    ["a javascript: URL", "javascript:alert(document.cookie)"],
  ])("a target on %s sends the shopper home instead", async (_label, target) => {
    const page = await visitor({ metafield: metafieldFor(harness) });
    await visit(page, link("/products/linen-shirt", target));
    expect(page.url()).toBe(`${harness.storeOrigin}/`);
    expect((await cookie(capture.cookie))?.value).toBe(value);
  });

  it("happens without consent, storing nothing; the click is kept once consent arrives", async () => {
    const page = await visitor({ metafield: metafieldFor(harness, { refersion: { enabled: false, publicKey: "" } }), privacy: "preloaded", consent: "denied" });
    await visit(page, link("/", "/products/linen-shirt"));
    expect(page.url()).toBe(`${harness.storeOrigin}/products/linen-shirt?${new URLSearchParams({ [capture.param]: value })}`);
    expect(await cookie(capture.cookie)).toBeUndefined();
    expect(harness.cartRequests).toEqual([]);

    await page.evaluate(() => (window as unknown as { __harnessGrantConsent: () => void }).__harnessGrantConsent());
    await eventually(async () => (await cookie(capture.cookie))?.value === value, 15_000, `${capture.cookie} after consent`);
    await eventually(() => harness.onlyCart().attributes[capture.cartAttribute] === value, 15_000, `${capture.cartAttribute} after consent`);
  });
});

describe("consent", () => {
  it("denied: nothing stored, no tracker, no cart writes; granted: everything proceeds on the same page", async () => {
    const page = await visitor({ metafield: metafieldFor(harness), privacy: "load-features", consent: "denied" });
    await visit(page, `/?rfsn=4711.a1b2c3&${everyClick}`);
    // The Customer Privacy API was loaded on demand, as Shopify documents it.
    expect(await page.evaluate(() => (window as unknown as { __harnessFeatureLoads?: unknown }).__harnessFeatureLoads)).toEqual([
      [{ name: "consent-tracking-api", version: "0.1" }],
    ]);
    expect(harness.trackerLoads).toEqual([]);
    expect(harness.cartRequests).toEqual([]);
    expect(await localStorageKeys(page)).toEqual([]);
    expect((await context!.cookies()).map((c) => c.name).filter((name) => name !== "_harness_consent")).toEqual([]);
    await screenshot(page, "consent-denied");

    await page.evaluate(() => (window as unknown as { __harnessGrantConsent: () => void }).__harnessGrantConsent());
    await eventually(() => harness.calls("sendCheckoutEvent").length === 1, 15_000, "sendCheckoutEvent after consent");
    const cart = harness.onlyCart();
    await eventually(() => expect(cart.attributes).toEqual({ ...everyAttribute, _refersion_cart_id: bare(cart.token) }), 15_000, "attributes after consent");
    for (const { capture } of capturing) expect((await cookie(capture.cookie))?.value).toBe(capture.example);
  });

  it("with gating turned off by the merchant, a denied visitor is tracked", async () => {
    const page = await visitor({ metafield: metafieldFor(harness, { consentGating: false, refersion: { enabled: false, publicKey: "" } }), privacy: "preloaded", consent: "denied" });
    await visit(page, `/?${everyClick}`);
    await eventually(() => expect(harness.onlyCart().attributes).toEqual(everyAttribute), 15_000, "every capture's attribute");
  });
});

describe("a configuration in format 1, synced before the capture table (until the worker re-syncs it)", () => {
  // As app/storefront/config.ts wrote it then: a block per network of that time (app/storefront/embed/legacy-config.ts).
  const format1 = () => ({
    consentGating: true,
    refersion: { enabled: true, publicKey: PUBLIC_KEY },
    retrack: { enabled: true, cookieDays: 10 },
    flexoffers: { enabled: true, cookieDays: 7 },
    trackerUrl: `${harness.trackerOrigin}/refersion.js`,
  });
  const old = capturing.filter(({ id }) => id === "retrack" || id === "flexoffers");

  it("still captures its networks' clicks, with their windows, and still loads Refersion", async () => {
    const page = await visitor({ metafield: format1() });
    await visit(page, `/?${new URLSearchParams(old.map(({ capture }) => [capture.param, capture.example]))}&${TRACKER_REFERRAL}`);
    for (const { id, capture } of old) expectCookieWindow(await cookie(capture.cookie), id === "flexoffers" ? 7 : 10);
    const cart = await eventually(() => harness.calls("sendCheckoutEvent").length === 1 && harness.onlyCart(), 15_000, "sendCheckoutEvent");
    await eventually(
      () => expect(cart.attributes).toEqual({ ...Object.fromEntries(old.map(({ capture }) => [capture.cartAttribute, capture.example])), _refersion_cart_id: bare(cart.token) }),
      15_000,
      "attributes",
    );
  });

  it("with everything off, does nothing", async () => {
    const page = await visitor({ metafield: { ...format1(), refersion: { enabled: false, publicKey: "" }, retrack: { enabled: false, cookieDays: 10 }, flexoffers: { enabled: false, cookieDays: 7 } } });
    await visit(page, `/?${everyClick}&${TRACKER_REFERRAL}`);
    expect((await context!.cookies()).map((c) => c.name)).toEqual([]);
    expect(harness.cartRequests).toEqual([]);
    expect(harness.trackerLoads).toEqual([]);
  });
});

describe("failures never harm the page", () => {
  it.each([
    ["fails to load", "missing"],
    ["throws while loading", "throws"],
    ["rejects initializeXDLS", "rejects"],
  ] as const)("Refersion's tracker %s: the page renders and the other networks still work", async (label, tracker) => {
    const page = await visitor({ metafield: metafieldFor(harness), tracker });
    await visit(page, `/?rfsn=4711.a1b2c3&${everyClick}`);
    expect(harness.trackerLoads).toHaveLength(1);
    await eventually(() => expect(harness.onlyCart().attributes).toEqual(everyAttribute), 15_000, "every capture's attribute despite the tracker");
    expect(harness.calls("sendCheckoutEvent")).toEqual([]);
    await expect(page.locator("h1").textContent()).resolves.toBe("Harness Store");
    await screenshot(page, `tracker-${label.replace(/\W+/g, "-")}`);
    if (tracker === "throws") {
      // Refersion's own script failing at its top level is its error, reported by the browser as such; the embed
      // adds none of its own.
      expect(pageErrors).toHaveLength(1);
      expect(pageErrors[0]).toContain("refersion stand-in: broken build");
      expect(pageErrors[0]).toContain(`${harness.trackerOrigin}/refersion.js`);
      pageErrors = [];
    }
  });

  it("failing /cart endpoints are caught", async () => {
    const page = await visitor({ metafield: metafieldFor(harness), cartFails: true });
    await visit(page, `/?rfsn=4711.a1b2c3&${everyClick}`);
    await eventually(() => harness.cartRequests.length >= 1, 15_000, "a cart request");
    await page.waitForLoadState("networkidle");
    expect(harness.calls("sendCheckoutEvent")).toEqual([]);
    await screenshot(page, "cart-failing");
  });

  it("a shop without a synced configuration gets no script at all", async () => {
    const page = await visitor({ metafield: null });
    const scripts: string[] = [];
    page.on("request", (request) => scripts.push(request.url()));
    await visit(page, `/?rfsn=4711.a1b2c3&${everyClick}`);
    expect(scripts.filter((url) => url.includes("affiliate-relay"))).toEqual([]);
    expect(harness.cartRequests).toEqual([]);
  });
});

// The merchant's overview in real Chromium, served by the real production server, authenticated the way Shopify
// admin embeds it (a signed session token in id_token, an installed shop's offline session in the database).
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { networks } from "../../app/networks/registry.ts";
import { createSqliteDatabase } from "../support/databases.ts";
import { ensureAppBuild } from "./support/app-build.ts";
import { adminContext, launchChromium } from "./support/browser.ts";
import { SECRET_VALUES, seedOverviewShop, type SeededShop } from "./support/seed-overview.ts";
import { serveApp, TEST_ENV, type ServedApp } from "./support/serve.ts";
import { adminHost, seedOfflineSession, sessionToken } from "./support/session-token.ts";

const artifacts = path.resolve(import.meta.dirname, "../.artifacts");
const SHOP = "overview-shop.myshopify.com";
const EMPTY_SHOP = "brand-new-shop.myshopify.com";
const ACCESS_TOKENS = { [SHOP]: "shpat_offline_token_0a1b2c3d4e", [EMPTY_SHOP]: "shpat_offline_token_9f8e7d6c5b" };
const label = (id: string) => networks.find((network) => network.id === id)?.label ?? id;

let app: ServedApp;
let db: Db;
let browser: Browser;
let seeded: SeededShop;
let context: BrowserContext | null = null;
let blocked: string[] = [];
let pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const [, url, launched] = await Promise.all([ensureAppBuild(), createSqliteDatabase(), launchChromium()]);
  browser = launched;
  db = createDb(url);
  seeded = await seedOverviewShop(db, SHOP);
  for (const [shop, token] of Object.entries(ACCESS_TOKENS)) await seedOfflineSession(db, shop, token);
  app = await serveApp(url);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await db?.$disconnect();
});

afterEach(async () => {
  expect(blocked, "requests past loopback").toEqual([]);
  expect(pageErrors, "errors in the page").toEqual([]);
  await context?.close();
  context = null;
});

/** Opens /app as Shopify admin would inside its iframe; returns the page and the server's HTML. */
async function openAdmin(
  shop: string,
  secret: string = TEST_ENV.SHOPIFY_API_SECRET,
): Promise<{ page: Page; html: string; status: number; headers: Record<string, string> }> {
  const token = sessionToken({ shop, apiKey: TEST_ENV.SHOPIFY_API_KEY, apiSecret: secret });
  ({ context, blocked } = await adminContext(browser, token));
  pageErrors = [];
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  // React reports hydration mismatches on the console, not as page errors.
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(`console: ${message.text()}`);
  });
  const query = new URLSearchParams({ embedded: "1", shop, host: adminHost(shop), id_token: token, locale: "en" });
  const response = await page.goto(`${app.url}/app?${query}`, { waitUntil: "networkidle", timeout: 30_000 });
  return { page, html: (await response?.text()) ?? "", status: response?.status() ?? 0, headers: response?.headers() ?? {} };
}

async function expectPolarisStyled(page: Page) {
  // Polaris' stylesheet defines its design tokens and styles its cards; unstyled markup has neither.
  const styling = await page.evaluate(() => ({
    token: getComputedStyle(document.documentElement).getPropertyValue("--p-color-bg-surface").trim(),
    cardRadius: getComputedStyle(document.querySelector(".Polaris-ShadowBevel") ?? document.body).borderRadius,
  }));
  expect(styling.token).not.toBe("");
  expect(styling.cardRadius).not.toBe("0px");
}

function expectNoSecrets(text: string) {
  const secrets = [
    ...Object.values(SECRET_VALUES),
    ...seeded.ciphertexts,
    ...Object.values(ACCESS_TOKENS),
    TEST_ENV.SHOPIFY_API_SECRET,
    TEST_ENV.ENCRYPTION_KEY.slice(3),
  ];
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe("merchant overview in Chromium", () => {
  it("shows each network's state, keys, last 7 days and the latest failures, and no secret", async () => {
    const { page, html, status, headers } = await openAdmin(SHOP);
    expect(status).toBe(200);
    // Only the shop's own admin may frame the app (Shopify's document headers, from entry.server.tsx).
    expect(headers["content-security-policy"]).toContain(`frame-ancestors https://${SHOP} https://admin.shopify.com`);
    await page.getByRole("heading", { name: "Overview" }).waitFor({ timeout: 10_000 });
    await expectPolarisStyled(page);
    await page.screenshot({ path: path.join(artifacts, "admin-overview.png"), fullPage: true });

    const text = await page.locator("body").innerText();
    for (const id of ["refersion", "retrack", "flexoffers"]) expect(text).toContain(label(id));
    expect(text).toContain("Keys accepted");
    expect(text).toContain("Keys rejected");
    expect(text).toContain("Retrack answered 401 Unauthorized: the API token is not valid");
    expect(text).toContain("Keys not checked yet");
    expect(text).toContain("Disabled");
    expect(text).toContain("Deliveries in the last 7 days");
    expect(text).toContain("Delivered: 3");
    expect(text).toContain("Failed: 1");
    expect(text).toContain("Paused: 1");
    expect(text).toContain("Skipped: 1");
    expect(text).toContain("Queued: 1");

    const rows = await page.locator(".Polaris-DataTable__TableRow").allInnerTexts();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/#1001\s+\S*/);
    expect(rows[0]).toContain("HTTP 401: Retrack rejected the API token (401)");
    expect(rows[1]).toContain("HTTP 400: Refersion answered 400: cart_id is required");
    expect(rows[2]).toContain("No click ID found");

    expectNoSecrets(html);
    expectNoSecrets(await page.content());
  });

  it("explains how to set up when the shop has no settings yet", async () => {
    const { page, html, status } = await openAdmin(EMPTY_SHOP);
    expect(status).toBe(200);
    await page.getByText("Connect your affiliate networks").waitFor({ timeout: 10_000 });
    await expectPolarisStyled(page);
    await page.screenshot({ path: path.join(artifacts, "admin-overview-empty.png"), fullPage: true });
    const text = await page.locator("body").innerText();
    expect(text).toContain(`npx affiliate-relay settings import --shop ${EMPTY_SHOP} settings.json`);
    expect(text).not.toContain("Recent failures");
    expect(await page.locator("img[src='/empty-networks.svg']").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    expectNoSecrets(html);
  });

  it("shows nothing of the shop to a session token signed with another secret", async () => {
    const { html } = await openAdmin(SHOP, "someone-elses-secret");
    expect(html).not.toContain("Keys rejected");
    expect(html).not.toContain("#1004");
    expect(html).not.toContain("Deliveries in the last");
  });
});

describe("public pages in Chromium", () => {
  it("renders the landing page styled, and its form leads to the login page", async () => {
    ({ context, blocked } = await adminContext(browser, "unused"));
    pageErrors = [];
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    await page.goto(`${app.url}/`, { waitUntil: "networkidle" });
    await page.getByRole("heading", { name: "Affiliate Relay" }).waitFor({ timeout: 10_000 });
    // The CSS module is loaded: the card has a white background and rounded corners, not the browser's defaults.
    const card = await page.locator("main > div").evaluate((element) => {
      const style = getComputedStyle(element);
      return { background: style.backgroundColor, radius: style.borderRadius };
    });
    expect(card).toEqual({ background: "rgb(255, 255, 255)", radius: "12px" });
    await page.screenshot({ path: path.join(artifacts, "landing.png"), fullPage: true });

    await page.getByLabel("Shop domain").fill("not a shop");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("Enter a valid shop domain").waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).pathname).toBe("/auth/login");
    await expectPolarisStyled(page);
    await page.screenshot({ path: path.join(artifacts, "login.png"), fullPage: true });
  });
});

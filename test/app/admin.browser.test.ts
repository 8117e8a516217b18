// The embedded admin in real Chromium, served by the real production server (worker included) against loopback
// network simulators and an Admin API stand-in: the merchant's journey on a fresh shop from the checklist to a
// retried delivery, then every page of a set-up shop, with no secret, no customer email and nothing of another
// shop in anything the server sends, no console error and no request past loopback.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { networkById } from "../../app/networks/registry.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../devkit/simulators/network-simulators.ts";
import { createSqliteDatabase } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { ensureAppBuild } from "../../devkit/admin/app-build.ts";
import { adminSession, type AdminSession } from "../../devkit/admin/admin-page.ts";
import { launchChromium } from "../../devkit/admin/browser.ts";
import { seedAdminShop, type SeededAdminShop } from "./support/seed-admin.ts";
import { serveApp, TEST_ENV, type ServedApp } from "../../devkit/admin/serve.ts";
import { seedOfflineSession } from "../../devkit/admin/session-token.ts";
import { THEME_SETTINGS } from "./support/theme-settings.ts";

const artifacts = path.resolve(import.meta.dirname, "../.artifacts");
const FRESH = "journey-shop.myshopify.com";
const FRESH_TOKEN = "shpat_journey_offline_7c6b5a";
const SHOP = "pages-shop.myshopify.com";
const OTHER = "pages-other.myshopify.com";

let app: ServedApp;
let db: Db;
let browser: Browser;
let simulators: NetworkSimulators;
let adminApi: MetafieldsAdminApi;
let mine: SeededAdminShop;
let other: SeededAdminShop;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const [, url, launched, sims] = await Promise.all([ensureAppBuild(), createSqliteDatabase(), launchChromium(), startNetworkSimulators()]);
  browser = launched;
  simulators = sims;
  db = createDb(url);
  mine = await seedAdminShop(db, SHOP, 1);
  other = await seedAdminShop(db, OTHER, 2);
  await seedOfflineSession(db, FRESH, FRESH_TOKEN);
  adminApi = await startMetafieldsAdminApi([FRESH_TOKEN, mine.accessToken, other.accessToken]);
  app = await serveApp(url, { ...simulators.env, SHOPIFY_ADMIN_API_ORIGIN: adminApi.origin });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await simulators?.close();
  await adminApi?.close();
  await db?.$disconnect();
});

const shot = (session: AdminSession, name: string) => session.page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

function expectClean(session: AdminSession, secrets: string[], foreign: string[] = []) {
  expect(session.blocked, "requests past loopback").toEqual([]);
  expect(session.errors, "errors in the page").toEqual([]);
  expect(session.responses.length).toBeGreaterThan(0);
  const everything = session.responses.join("\n");
  for (const secret of [...secrets, TEST_ENV.SHOPIFY_API_SECRET, TEST_ENV.ENCRYPTION_KEY.slice(3)]) expect(everything).not.toContain(secret);
  for (const mark of foreign) expect(everything).not.toContain(mark);
}

async function postPaidOrder(shop: string, body: unknown) {
  const raw = JSON.stringify(body);
  const response = await fetch(`${app.url}/webhooks/orders/paid`, { method: "POST", headers: webhookHeaders({ topic: "orders/paid", shop, body }, raw), body: raw });
  expect(response.status).toBe(200);
}

async function settled(shop: string) {
  for (let i = 0; i < 200; i++) {
    const open = await db.delivery.count({ where: { shop, status: { in: ["pending", "in_flight"] } } });
    if (open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("deliveries did not settle");
}

describe("the merchant's journey in Chromium", () => {
  it("from the checklist on a fresh shop to a failed delivery retried and delivered", { timeout: 180_000 }, async () => {
    const session = await adminSession(browser, app.url, FRESH);
    const { page } = session;
    try {
      adminApi.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedAbsent };
      const home = await session.open("/app");
      expect(home.status).toBe(200);
      await page.getByRole("heading", { name: "Setup" }).waitFor();
      expect(await page.getByText("0 of 3 done").count()).toBe(1);
      expect(await page.locator("[data-step][data-state='todo']").count()).toBe(3);
      await shot(session, "journey-1-home-fresh");

      // Connect Refersion: first with a key pasted with a space in it.
      await page.getByRole("link", { name: "Connect a network" }).click();
      await page.getByRole("heading", { name: "Networks" }).waitFor();
      const refersion = page.locator("[data-network-card=refersion]");
      await refersion.getByLabel("Send paid orders to Refersion").check();
      await refersion.getByLabel("Public key").fill(simulators.credentials.refersion.publicKey);
      await refersion.getByLabel("Secret key").fill("sec simulated");
      await refersion.getByRole("button", { name: "Save" }).click();
      await refersion.getByText("must be the key alone, on one line, without spaces").waitFor();
      expect(await refersion.getByLabel("Secret key").getAttribute("aria-invalid")).toBe("true");
      await shot(session, "journey-2-networks-bad-key");

      // The card is operable from the keyboard: Tab goes from the key to its buttons.
      await refersion.getByLabel("Secret key").focus();
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Test connection");
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Save");

      // Fixed, and saved from the keyboard (Enter submits the card's form).
      await refersion.getByLabel("Secret key").fill(simulators.credentials.refersion.secretKey);
      await refersion.getByLabel("Secret key").press("Enter");
      await refersion.getByText("The app embed's configuration is updated.").waitFor();
      await refersion.getByText(`A key ending in ${String(simulators.credentials.refersion.secretKey).slice(-4)} is saved.`, { exact: false }).waitFor();
      expect(await refersion.getByLabel("Secret key").inputValue()).toBe("");
      expect(JSON.parse(adminApi.metafields.get("affiliate_relay.config")!.value).refersion).toEqual({ publicKey: simulators.credentials.refersion.publicKey });

      const flexoffers = page.locator("[data-network-card=flexoffers]");
      await flexoffers.getByLabel("Send paid orders to FlexOffers").check();
      await flexoffers.getByLabel("Advertiser id").fill(simulators.credentials.flexoffers.advertiserId);
      await flexoffers.getByRole("button", { name: "Test connection" }).click();
      if (networkById("flexoffers")!.checkCredentials) {
        await flexoffers.getByText(/^Keys (accepted|rejected|not verified)$/).waitFor();
      } else {
        await flexoffers.getByText("FlexOffers offers no way to check keys without reporting an order, so nothing was sent.", { exact: false }).waitFor();
      }
      await flexoffers.getByRole("button", { name: "Save" }).click();
      await flexoffers.getByText("The app embed's configuration is updated.").waitFor();
      await shot(session, "journey-3-networks-saved");

      // The checklist advances; the embed step follows the live theme's settings.
      await session.open("/app");
      await page.getByText("1 of 3 done").waitFor();
      expect(await page.locator("[data-step='network']").getAttribute("data-state")).toBe("done");
      const editor = page.locator("[data-step='embed']").getByRole("link", { name: "Open the theme editor" });
      expect(await editor.getAttribute("href")).toBe(`https://${FRESH}/admin/themes/current/editor?context=apps&activateAppId=${TEST_ENV.SHOPIFY_API_KEY}/app-embed`);
      await page.getByText("The app embed is off in your live theme").waitFor();
      adminApi.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedEnabled };
      await session.open("/app");
      await page.getByText("2 of 3 done").waitFor();
      expect(await page.locator("[data-step='embed']").getAttribute("data-state")).toBe("done");
      await shot(session, "journey-4-home-embed-on");

      // Three paid orders, one of which FlexOffers refuses.
      simulators.failNext("flexoffers", "no-click");
      for (const n of [1, 2, 3]) await postPaidOrder(FRESH, attributedOrder(n));
      await settled(FRESH);
      expect(await db.delivery.count({ where: { shop: FRESH, status: "failed" } })).toBe(1);

      await session.open("/app");
      await page.getByText("3 of 3 done").waitFor();
      await page.locator("[data-chart='ready'] svg").first().waitFor();
      expect(await page.locator("[data-relayed='refersion']").innerText()).toBe("3");
      expect(await page.locator("[data-relayed='flexoffers']").innerText()).toBe("2");
      await page.getByText("Only 66.6% of FlexOffers deliveries succeeded in the last 24 hours").waitFor();
      await shot(session, "journey-5-home-orders");

      // Filter the deliveries down to the failure.
      await session.open("/app/deliveries");
      expect(await page.locator(".Polaris-IndexTable__TableRow").count()).toBe(6);
      await page.getByLabel("Status").selectOption("failed");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await page.waitForURL(/status=failed/);
      await page.waitForFunction(() => document.querySelectorAll(".Polaris-IndexTable__TableRow").length === 1);
      const row = page.locator(".Polaris-IndexTable__TableRow");
      expect(await row.innerText()).toContain("FlexOffers");
      await shot(session, "journey-6-deliveries-failed");

      // Open it, read why, retry it, see it delivered.
      await row.getByRole("link").click();
      await page.getByText("FlexOffers did not accept this sale").waitFor();
      await page.getByText("No click ID found").first().waitFor();
      await shot(session, "journey-7-delivery-failed");
      await page.getByRole("button", { name: "Retry" }).click();
      await page.getByText("Delivered to FlexOffers").waitFor({ timeout: 20_000 });
      expect(await page.getByRole("heading", { name: /^Attempt \d/ }).count()).toBe(2);
      await shot(session, "journey-8-delivery-retried");
      expect(simulators.accepted("flexoffers")).toHaveLength(3);

      // The accuracy figure and its chart: every order reached both networks.
      await session.open("/app/accuracy");
      await page.getByRole("heading", { name: "Per network" }).waitFor();
      const table = await page.locator(".Polaris-DataTable__Table").first().innerText();
      expect(table).toMatch(/Refersion\s+3\s+3\s+3\s+0\s+0\s+0\s+100\.0%/);
      expect(table).toMatch(/FlexOffers\s+3\s+3\s+3\s+0\s+0\s+0\s+100\.0%/);
      await page.locator("[data-chart='ready'] svg").first().waitFor();
      await shot(session, "journey-9-accuracy");

      expectClean(session, [simulators.credentials.refersion.secretKey, FRESH_TOKEN, "ada@example.com"]);
    } finally {
      await session.close();
    }
  });
});

describe("every admin page in Chromium", () => {
  const pages = () => [
    { path: "/app", heading: "Home" },
    { path: "/app/networks", heading: "Networks" },
    { path: "/app/deliveries", heading: "Deliveries" },
    { path: `/app/deliveries/${mine.deliveryIds.refersionFailed}`, heading: "#1002 to Refersion" },
    { path: "/app/accuracy", heading: "Accuracy" },
    { path: "/app/settings", heading: "Settings" },
  ];

  it("renders each page of a set-up shop with nothing secret and nothing of another shop", async () => {
    const session = await adminSession(browser, app.url, SHOP);
    try {
      adminApi.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedDisabled };
      const vitals: Record<string, { lcpMs: number; cls: number; inpMs: number }> = {};
      for (const { path: at, heading } of pages()) {
        const { status } = await session.open(at);
        expect(status, at).toBe(200);
        await session.page.getByRole("heading", { name: heading }).first().waitFor();
        await session.page.getByText("Retrack rejected your keys").waitFor();
        const name = at.replace(/^\/app\/?/, "").replace(/\/.*/, "-detail") || "home";
        await shot(session, `page-${name}`);
        // One interaction per page for INP: the first button there that changes nothing.
        if (name === "networks") await session.page.getByRole("button", { name: "Test connection" }).first().click();
        if (name === "deliveries") await session.page.getByLabel("Status").selectOption("failed");
        vitals[name] = await session.webVitals();
        // Layout stability is a property of the page, not of the machine's speed: charts and banners keep their place.
        expect(vitals[name]!.cls, `CLS of ${at}`).toBeLessThanOrEqual(0.1);
      }
      // The timings depend on this shared machine: recorded for the report, never asserted.
      writeFileSync(path.join(artifacts, "admin-web-vitals.json"), JSON.stringify(vitals, null, 2));
      expectClean(session, [...mine.secrets, ...other.secrets], other.marks);
    } finally {
      await session.close();
    }
  });

  it("answers a delivery of another shop with 404, and shows nothing of it", async () => {
    const session = await adminSession(browser, app.url, SHOP);
    try {
      const { status } = await session.open(`/app/deliveries/${other.deliveryIds.refersionFailed}`);
      expect(status).toBe(404);
      await session.page.getByText("There is no such delivery for this shop.").waitFor();
      await shot(session, "page-delivery-other-shop");
      // The 404 is an expected answer, not an error of the page.
      session.errors.splice(0, session.errors.length, ...session.errors.filter((error) => !/404/.test(error)));
      expectClean(session, [...mine.secrets, ...other.secrets], other.marks);
    } finally {
      await session.close();
    }
  });

  it("shows an error state, without internals, when a page cannot be loaded", async () => {
    const broken = "pages-broken.myshopify.com";
    await seedOfflineSession(db, broken, "shpat_broken_offline_1a2b");
    await db.shop.create({ data: { domain: broken } });
    // Settings written by hand with an event id Retrack's schema refuses: the networks page cannot read them.
    await db.networkConnection.create({ data: { shop: broken, network: "retrack", enabled: true, publicConfig: JSON.stringify({ eventId: "not-a-uuid" }) } });
    const session = await adminSession(browser, app.url, broken);
    try {
      const { status, html } = await session.open("/app/networks");
      expect(status).toBe(500);
      await session.page.getByText("This page could not be loaded").waitFor();
      expect(html).not.toContain("not-a-uuid");
      expect(html).not.toContain("SettingsError");
      await shot(session, "page-networks-error");
      // The browser reports the 500 document itself; nothing else may go wrong in the page.
      expect(session.errors.filter((error) => !/status of 500/.test(error))).toEqual([]);
      expect(session.blocked).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("shows nothing of the shop to a session token signed with another secret", async () => {
    const session = await adminSession(browser, app.url, SHOP, "someone-elses-secret");
    try {
      for (const { path: at } of pages()) {
        const { html } = await session.open(at);
        expect(html).not.toContain("#1002");
        expect(html).not.toContain("pub-key-1");
      }
    } finally {
      await session.close();
    }
  });
});

// /app (home) and the embedded layout's attention banners through their real loaders, with real session tokens,
// on both databases, the live theme read from the Admin API stand-in: the checklist on a fresh shop and on a set
// up one, the embed step following the theme's settings, the last 30 days per network, and nothing of the
// other shop.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import type { Attention } from "../../app/admin/attention.ts";
import type { Home } from "../../app/admin/home.ts";
import { loader as homeLoader } from "../../app/routes/app._index/route.tsx";
import { loader as layoutLoader } from "../../app/routes/app.tsx";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { adminRequest, callRoute } from "./support/admin-request.ts";
import { seedAdminShop, type SeededAdminShop } from "./support/seed-admin.ts";
import { seedOfflineSession } from "../../devkit/admin/session-token.ts";
import { THEME_SETTINGS } from "./support/theme-settings.ts";

const FRESH = "home-fresh.myshopify.com";
const SHOP = "home-page.myshopify.com";
const OTHER = "home-other.myshopify.com";
const LINK = `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=test-api-key/app-embed`;

describe.each(databaseKinds)("/app home on %s", (kind) => {
  let db: Db;
  let mine: SeededAdminShop;
  let other: SeededAdminShop;
  let api: MetafieldsAdminApi;

  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
    mine = await seedAdminShop(db, SHOP, 5);
    other = await seedAdminShop(db, OTHER, 6);
    await seedOfflineSession(db, FRESH, "shpat_fresh_home_token");
    api = await startMetafieldsAdminApi(mine.accessToken);
    process.env.SHOPIFY_ADMIN_API_ORIGIN = api.origin;
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    setDb(undefined);
    await api?.close();
    await db?.$disconnect();
  });
  beforeEach(() => api.reset());

  const home = async (shop = SHOP) => {
    const answer = await callRoute(homeLoader, adminRequest("/app", { shop }));
    expect(answer.status).toBe(200);
    return { home: answer.data as Home, text: answer.text };
  };
  const step = (h: Home, id: string) => h.checklist.find((s) => s.id === id)!;

  it("shows a fresh shop the whole checklist to do, and asks no theme while no network is on", async () => {
    const { home: h } = await home(FRESH);
    expect(h.checklist.map((s) => [s.id, s.state])).toEqual([
      ["network", "todo"],
      ["embed", "todo"],
      ["first-order", "todo"],
    ]);
    expect(step(h, "network").action).toEqual({ content: "Connect a network", url: "/app/networks" });
    expect(h.relayed).toEqual([]);
    expect(h.failures).toEqual([]);
    expect(api.received).toHaveLength(0);
  });

  it("ticks a connected network and the first relayed order, and counts the last 30 days per network", async () => {
    api.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedDisabled };
    const { home: h, text } = await home();
    expect(step(h, "network")).toMatchObject({ state: "done", detail: "Sending orders to Refersion, FlexOffers." });
    expect(step(h, "first-order")).toMatchObject({ state: "done" });
    expect(step(h, "embed")).toMatchObject({ state: "todo", action: { url: LINK, external: true } });
    expect(step(h, "embed").detail).toContain("switched off");
    expect(h.days).toHaveLength(30);
    const totals = Object.fromEntries(h.relayed.map((series) => [series.network, series.counts.reduce((a, b) => a + b, 0)]));
    // The delivery 40 days old is outside the window; the other shop's are never counted.
    expect(totals).toEqual({ refersion: 1, retrack: 0, flexoffers: 0 });
    expect(h.relayed[0]!.counts.at(-1)! + h.relayed[0]!.counts.at(-2)!).toBe(1);
    expect(h.failures).toEqual([
      { network: "flexoffers", label: "FlexOffers", failed: 1, paused: 0 },
      { network: "refersion", label: "Refersion", failed: 1, paused: 0 },
      { network: "retrack", label: "Retrack", failed: 0, paused: 1 },
    ]);
    for (const secret of [...mine.secrets, ...other.secrets]) expect(text).not.toContain(secret);
    for (const mark of other.marks) expect(text).not.toContain(mark);
  });

  it("turns the embed step green as soon as the theme's settings say the embed is on", async () => {
    api.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedAbsent };
    expect(step((await home()).home, "embed")).toMatchObject({ state: "todo", detail: expect.stringContaining("not added") });
    api.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedEnabled };
    expect(step((await home()).home, "embed")).toMatchObject({ state: "done", detail: 'The embed is on in "Dawn".', action: null });
  });

  it("says when only rejected keys stand in the way", async () => {
    await db.networkConnection.updateMany({ where: { shop: SHOP, network: { not: "retrack" } }, data: { enabled: false } });
    try {
      expect(step((await home()).home, "network")).toMatchObject({ state: "problem", detail: expect.stringContaining("Retrack rejected the keys") });
    } finally {
      await db.networkConnection.updateMany({ where: { shop: SHOP }, data: { enabled: true } });
    }
  });

  it("gives every page the banners: rejected keys, success under 95% in 24 hours, embed off", async () => {
    api.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedDisabled };
    const answer = await callRoute(layoutLoader, adminRequest("/app/networks", { shop: SHOP }));
    expect(answer.status).toBe(200);
    const { attention } = answer.data as { attention: Attention };
    expect(attention.rejected).toEqual([{ network: "retrack", label: "Retrack", error: "Retrack answered 401 for shop 5: the API token is not valid" }]);
    expect(attention.lowSuccess).toEqual([
      { network: "flexoffers", label: "FlexOffers", succeeded: 0, failed: 1, rate: 0 },
      { network: "refersion", label: "Refersion", succeeded: 1, failed: 1, rate: 0.5 },
    ]);
    expect(attention.embed).toMatchObject({ state: "off", deepLink: LINK });
    for (const mark of other.marks) expect(answer.text).not.toContain(mark);
    for (const secret of [...mine.secrets, ...other.secrets]) expect(answer.text).not.toContain(secret);
  });

  it("refuses a session token signed with another secret", async () => {
    expect((await callRoute(homeLoader, adminRequest("/app", { shop: SHOP, secret: "not-the-app-secret" }))).status).toBe(401);
    expect((await callRoute(layoutLoader, adminRequest("/app", { shop: SHOP, secret: "not-the-app-secret" }))).status).toBe(401);
  });
});

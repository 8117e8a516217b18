// A slow Admin API must not hold the admin's pages: with the live theme's read answering slowly from the stand-in,
// the home page and the layout render within the embed check's budget (EMBED_CHECK_BUDGET_MS) with the embed
// "checking", the check finishes in the background into the cache, and the next page shows its answer without
// asking Shopify again. Real loaders, real session tokens, both databases.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMBED_CHECK_BUDGET_MS } from "../../app/admin/app-embed.server.ts";
import type { Attention } from "../../app/admin/attention.ts";
import type { Home } from "../../app/admin/home.ts";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { loader as homeLoader } from "../../app/routes/app._index/route.tsx";
import { loader as layoutLoader } from "../../app/routes/app.tsx";
import { eventually } from "../../devkit/storefront/harness.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { adminRequest, callRoute } from "./support/admin-request.ts";
import { seedAdminShop, type SeededAdminShop } from "./support/seed-admin.ts";
import { THEME_SETTINGS } from "./support/theme-settings.ts";

const SLOW_MS = EMBED_CHECK_BUDGET_MS + 2_000;

describe.each(databaseKinds)("the app embed check's budget on %s", (kind) => {
  const shop = `embed-budget-${kind}.myshopify.com`;
  let db: Db;
  let mine: SeededAdminShop;
  let api: MetafieldsAdminApi;

  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
    mine = await seedAdminShop(db, shop, 4);
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

  const themeReads = () => api.received.filter((r) => r.query.includes("roles: [MAIN]")).length;
  const timed = async <T,>(load: () => Promise<T>) => {
    const started = performance.now();
    const value = await load();
    return { value, ms: performance.now() - started };
  };
  const home = async () => {
    const answer = await callRoute(homeLoader, adminRequest("/app", { shop }));
    expect(answer.status).toBe(200);
    return (answer.data as Home).checklist.find((s) => s.id === "embed")!;
  };

  it("the home page renders within the budget with the embed being checked, and shows the answer on the next load", async () => {
    api.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedEnabled };
    api.themesDelayMs = SLOW_MS;
    const first = await timed(home);
    // The budget plus the page's own reads, well short of the slow answer.
    expect(first.ms).toBeLessThan(EMBED_CHECK_BUDGET_MS + 1_000);
    expect(first.value).toMatchObject({ state: "todo", detail: expect.stringMatching(/^Checking your live theme/) });
    expect(first.value.action?.url).toContain("activateAppId=");
    expect(themeReads()).toBe(1);

    // A page arriving while the check runs waits on the same one: Shopify is asked once.
    const layout = await timed(() => callRoute(layoutLoader, adminRequest("/app/networks", { shop })));
    expect((layout.value.data as { attention: Attention }).attention.embed).toMatchObject({ state: "checking" });
    expect(layout.ms).toBeLessThan(EMBED_CHECK_BUDGET_MS + 1_000);
    expect(themeReads()).toBe(1);

    // Once the slow answer is in, the next home load (which otherwise asks afresh) shows it at once.
    await eventually(() => api.api.graphqlRequests.some((r) => r.query.includes("roles: [MAIN]") && r.outcome === "ok"), SLOW_MS + 5_000, "the slow answer");
    await new Promise((resolve) => setTimeout(resolve, 100));
    api.themesDelayMs = 0;
    const next = await timed(home);
    expect(next.value).toMatchObject({ state: "done" });
    expect(themeReads()).toBe(1);
    // Later loads ask Shopify afresh again, as before.
    expect(await home()).toMatchObject({ state: "done" });
    expect(themeReads()).toBe(2);
  });

  it("a quick answer is used as before, within the same load", async () => {
    api.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedDisabled };
    expect(await home()).toMatchObject({ state: "todo", detail: expect.stringContaining("switched off") });
    expect(themeReads()).toBe(1);
  });
});

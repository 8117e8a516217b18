// The app embed check: the live theme's config/settings_data.json read through the Admin GraphQL API (a loopback
// stand-in checking the token and the query) in every shape it comes in, and the theme editor deep link.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkAppEmbed } from "../../app/admin/app-embed.server.ts";
import { embedDeepLink, findAppEmbed, stripLeadingComment } from "../../app/admin/app-embed.ts";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { adminGraphqlForShop } from "../../app/shopify/admin-graphql.server.ts";
import { createTestDb } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { offlineSessionRow } from "../../devkit/shopify-admin/shopify-admin-api.ts";
import { THEME_SETTINGS } from "./support/theme-settings.ts";

const SHOP = "embed-check.myshopify.com";
const TOKEN = "shpat_embed_check_token";
const API_KEY = "test-api-key";
const LINK = `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${API_KEY}/app-embed`;

describe("the app embed check", () => {
  let api: MetafieldsAdminApi;
  let db: Db;
  beforeAll(async () => {
    db = (await createTestDb("sqlite")).db;
    setDb(db);
    api = await startMetafieldsAdminApi(TOKEN);
    process.env.SHOPIFY_ADMIN_API_ORIGIN = api.origin;
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    await api?.close();
    setDb(undefined);
    await db?.$disconnect();
  });
  beforeEach(async () => {
    api.reset();
    await db.session.deleteMany();
  });

  // The shop's offline session holds the token the Admin API calls go out with (app/shopify/admin-graphql.server.ts).
  const check = async (token = TOKEN, extensionId?: string) => {
    await db.session.deleteMany();
    await db.session.create({ data: offlineSessionRow(SHOP, token) });
    return checkAppEmbed(await adminGraphqlForShop(SHOP), SHOP, API_KEY, extensionId);
  };

  it("builds the theme editor link that opens the App embeds panel with this app's embed", () => {
    expect(embedDeepLink(SHOP, API_KEY)).toBe(LINK);
  });

  it("strips the generated comment before reading the JSON", () => {
    expect(JSON.parse(stripLeadingComment(THEME_SETTINGS.embedEnabled)).current.logo_width).toBe(90);
    expect(stripLeadingComment('\uFEFF{"current":{}}')).toBe('{"current":{}}');
    expect(() => JSON.parse(THEME_SETTINGS.embedEnabled)).toThrow();
  });

  it("says the embed is off when the block is absent, with the link", async () => {
    api.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedAbsent };
    expect(await check()).toEqual({ state: "off", themeName: "Dawn", reason: "absent", deepLink: LINK });
    expect(api.received[0]!.query).toContain("roles: [MAIN]");
  });

  it("says the embed is off when it is present and disabled", async () => {
    api.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedDisabled };
    expect(await check()).toEqual({ state: "off", themeName: "Dawn", reason: "disabled", deepLink: LINK });
  });

  it("says the embed is on when it is present and not disabled, also under a named preset", async () => {
    api.mainTheme = { name: "Dawn", settingsData: THEME_SETTINGS.embedEnabled };
    expect(await check()).toEqual({ state: "on", themeName: "Dawn" });
    api.mainTheme = { name: "Vintage", settingsData: THEME_SETTINGS.presetCurrentEnabled };
    expect(await check()).toEqual({ state: "on", themeName: "Vintage" });
  });

  it("matches by the extension's uuid when the deployment names it", () => {
    expect(findAppEmbed(THEME_SETTINGS.embedEnabled, "8a6f1c52-3e0d-4d8b-9f7a-2c4b6e8d0f13")).toEqual({ found: true, disabled: false });
    expect(findAppEmbed(THEME_SETTINGS.embedEnabled, "00000000-0000-0000-0000-000000000000")).toEqual({ found: false });
    // Another app's block named app-embed is not ours, switched on as it is.
    expect(findAppEmbed(THEME_SETTINGS.embedAbsent)).toEqual({ found: false });
  });

  it("treats a theme without settings_data.json as off, and says when there is no theme or no access", async () => {
    api.mainTheme = { name: "Fresh", settingsData: null };
    expect(await check()).toEqual({ state: "off", themeName: "Fresh", reason: "absent", deepLink: LINK });
    api.mainTheme = null;
    expect(await check()).toEqual({ state: "unknown", message: "the shop has no published theme", deepLink: LINK });
    api.mainTheme = { name: "Dawn", settingsData: "/* x */ {not json" };
    expect(await check()).toMatchObject({ state: "unknown", message: expect.stringContaining("not readable JSON") });
    const refused = await check("wrong-token");
    expect(refused).toMatchObject({ state: "unknown", message: expect.stringContaining("401"), deepLink: LINK });
  });
});

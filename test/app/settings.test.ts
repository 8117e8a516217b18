// /app/settings through its real loader and action, with real session tokens, on both databases: the shop's
// options, the settings file out (secrets blank) and in (blank secrets keep the stored ones; errors said plainly),
// the customer data requests received (never an email), and nothing of another shop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import type { SettingsPage } from "../../app/admin/shop-settings.ts";
import { recordDataRequest } from "../../app/compliance/data-request.server.ts";
import { action, loader } from "../../app/routes/app.settings.tsx";
import { loadShopConfig } from "../../app/settings/store.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { adminRequest, callRoute } from "./support/admin-request.ts";
import { seedAdminShop, type SeededAdminShop } from "./support/seed-admin.ts";

const SHOP = "settings-page.myshopify.com";
const OTHER = "settings-other.myshopify.com";

describe.each(databaseKinds)("/app/settings on %s", (kind) => {
  let db: Db;
  let mine: SeededAdminShop;
  let other: SeededAdminShop;
  let api: MetafieldsAdminApi;

  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
    mine = await seedAdminShop(db, SHOP, 11);
    other = await seedAdminShop(db, OTHER, 12);
    await recordDataRequest(db, { shop: SHOP, customerId: String(6_000_001), email: "shopper.11.private@example.com", orderIds: ["11000000000"] });
    await recordDataRequest(db, { shop: OTHER, customerId: String(6_000_001), email: "shopper.12.private@example.com", orderIds: ["12000000000"] });
    api = await startMetafieldsAdminApi(mine.accessToken);
    process.env.SHOPIFY_ADMIN_API_ORIGIN = api.origin;
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    setDb(undefined);
    await api?.close();
    await db?.$disconnect();
  });

  const load = async () => {
    const answer = await callRoute(loader, adminRequest("/app/settings", { shop: SHOP }));
    expect(answer.status).toBe(200);
    return { page: answer.data as SettingsPage, text: answer.text };
  };
  const post = (form: Record<string, string>) => callRoute(action, adminRequest("/app/settings", { shop: SHOP, form }));
  const hidden = (text: string) => {
    for (const secret of [...mine.secrets, ...other.secrets]) expect(text).not.toContain(secret);
    for (const mark of other.marks) expect(text).not.toContain(mark);
  };

  it("shows the options, the settings file with secrets blank, and this shop's data requests without emails", async () => {
    const { page, text } = await load();
    expect(page.options).toEqual({ currency: "shop", sendTestOrders: false, consentGating: true });
    const file = JSON.parse(page.exportFile!);
    expect(file.networks.refersion).toEqual({ enabled: true, publicKey: "pub-key-11", secretKey: "" });
    expect(file.networks.retrack.apiToken).toBe("");
    expect(page.dataRequests).toHaveLength(1);
    expect(page.dataRequests[0]).toMatchObject({ customer: "Customer 6000001", ordersRequested: 1 });
    hidden(text);
  });

  it("saves the shop's options and keeps every network's keys", async () => {
    const answer = await post({ intent: "options", currency: "presentment", sendTestOrders: "on" });
    expect(answer.data).toMatchObject({ intent: "options", ok: true, storefront: { ok: true, synced: true } });
    const config = (await loadShopConfig(db, SHOP))!;
    expect(config).toMatchObject({ currencyMode: "presentment", sendTestOrders: true, consentGating: false });
    expect(config.networks.find((n) => n.definition.id === "refersion")!.settings.secretKey).toBe("rfsn-secret-11-5f0c2a9b7e1d");
    expect(JSON.parse(api.metafields.get("affiliate_relay.config")!.value).consentGating).toBe(false);
    expect((await loadShopConfig(db, OTHER))!.currencyMode).toBe("shop");
  });

  it("imports an exported file edited by hand: blank keys kept, new values stored", async () => {
    const { page } = await load();
    const file = JSON.parse(page.exportFile!);
    file.networks.flexoffers.advertiserId = "adv-11-imported";
    file.consentGating = true;
    const answer = await post({ intent: "import", file: JSON.stringify(file) });
    expect(answer.data).toMatchObject({ intent: "import", ok: true });
    const config = (await loadShopConfig(db, SHOP))!;
    expect(config.consentGating).toBe(true);
    expect(config.networks.find((n) => n.definition.id === "flexoffers")!.settings.advertiserId).toBe("adv-11-imported");
    expect(config.networks.find((n) => n.definition.id === "retrack")!.settings.apiToken).toBe("retrack-token-11-77d1e3c4a9b0");
    hidden(answer.text);
  });

  it("says what is wrong with a file that is not JSON or not a settings file, and changes nothing", async () => {
    expect((await post({ intent: "import", file: "{nope" })).data).toEqual({ intent: "import", ok: false, error: expect.stringContaining("not JSON") });
    const invalid = await post({ intent: "import", file: JSON.stringify({ currency: "euros", networks: {} }) });
    expect(invalid.data).toEqual({ intent: "import", ok: false, error: expect.stringContaining('must be "shop" or "presentment"') });
    expect((await loadShopConfig(db, SHOP))!.currencyMode).toBe("presentment");
  });

  it("refuses a session token signed with another secret", async () => {
    expect((await callRoute(loader, adminRequest("/app/settings", { shop: SHOP, secret: "not-the-app-secret" }))).status).toBe(401);
    const posted = await callRoute(action, adminRequest("/app/settings", { shop: SHOP, secret: "not-the-app-secret", form: { intent: "options", currency: "shop" } }));
    expect(posted.status).toBe(401);
    expect((await loadShopConfig(db, SHOP))!.currencyMode).toBe("presentment");
  });
});

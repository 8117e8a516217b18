// A shop whose stored settings no longer pass a network's schema (written by an older release: here Retrack's
// event id is not a UUID): the admin pages still open, /app/networks says what is wrong field by field, and a fixed
// form or an imported fixed file is saved, keeping the stored secret. Real loaders and actions, real session
// tokens, both databases.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { action as networksAction, loader as networksLoader } from "../../app/routes/app.networks.tsx";
import { action as settingsAction, loader as settingsLoader } from "../../app/routes/app.settings.tsx";
import { loadShopConfig, SettingsError } from "../../app/settings/store.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { adminRequest, callRoute } from "./support/admin-request.ts";
import { seedAdminShop, type SeededAdminShop } from "./support/seed-admin.ts";

const SHOP = "invalid-settings.myshopify.com";
const EVENT_ID = "1f80e399-6f55-4cef-b8b0-0f74752c1ceb";

interface Card {
  id: string;
  configured: boolean;
  enabled: boolean;
  storedProblem: null | { message: string; fieldErrors: Record<string, string>; formError: string | null };
  fields: Array<{ key: string; value: string; stored: null | { set: boolean } }>;
}

describe.each(databaseKinds)("stored settings that fail the schema, on %s", (kind) => {
  let db: Db;
  let mine: SeededAdminShop;
  let adminApi: MetafieldsAdminApi;

  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
    mine = await seedAdminShop(db, SHOP, 3);
    adminApi = await startMetafieldsAdminApi(mine.accessToken);
    process.env.SHOPIFY_ADMIN_API_ORIGIN = adminApi.origin;
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    setDb(undefined);
    await adminApi?.close();
    await db?.$disconnect();
  });
  beforeEach(async () => {
    adminApi.reset();
    // What an older release could have stored and this one refuses.
    await db.networkConnection.updateMany({ where: { shop: SHOP, network: "retrack" }, data: { publicConfig: JSON.stringify({ eventId: "summer-campaign" }) } });
    await expect(loadShopConfig(db, SHOP)).rejects.toThrow(SettingsError);
  });

  const cards = async () => {
    const answer = await callRoute(networksLoader, adminRequest("/app/networks", { shop: SHOP }));
    expect(answer.status).toBe(200);
    for (const secret of mine.secrets) expect(answer.text).not.toContain(secret);
    return (answer.data as { cards: Card[] }).cards;
  };
  const retrackToken = async () => (await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "retrack")!.settings.apiToken;

  it("/app/networks opens and shows what is wrong with the stored block, field by field", async () => {
    const retrack = (await cards()).find((card) => card.id === "retrack")!;
    expect(retrack).toMatchObject({ configured: true, enabled: true });
    expect(retrack.storedProblem!.message).toMatch(/stored Retrack settings are no longer valid/);
    expect(Object.keys(retrack.storedProblem!.fieldErrors)).toEqual(["eventId"]);
    expect(retrack.fields.find((f) => f.key === "eventId")!.value).toBe("summer-campaign");
    expect(retrack.fields.find((f) => f.key === "apiToken")!.stored).toEqual({ set: true, lastFour: "a9b0" });
    // The other networks' cards are as usual.
    expect((await cards()).filter((card) => card.storedProblem).map((card) => card.id)).toEqual(["retrack"]);
    const settingsPage = await callRoute(settingsLoader, adminRequest("/app/settings", { shop: SHOP }));
    expect(settingsPage.status).toBe(200);
  });

  it("saving the fixed form succeeds and keeps the stored API token", async () => {
    const saved = await callRoute(networksAction, adminRequest("/app/networks", { shop: SHOP, form: { intent: "save", network: "retrack", enabled: "on", apiToken: "", eventId: EVENT_ID } }));
    expect(saved.data).toMatchObject({ ok: true, storefront: { ok: true, synced: true } });
    expect(await retrackToken()).toBe(mine.secrets[1]);
    expect((await cards()).every((card) => card.storedProblem === null)).toBe(true);
  });

  it("saving another network meanwhile succeeds and leaves the invalid block to be fixed", async () => {
    const saved = await callRoute(networksAction, adminRequest("/app/networks", { shop: SHOP, form: { intent: "save", network: "flexoffers", enabled: "on", advertiserId: "adv-new", commissionId: "" } }));
    expect(saved.data).toMatchObject({ ok: true });
    const after = await cards();
    expect(after.find((card) => card.id === "flexoffers")!.fields.find((f) => f.key === "advertiserId")!.value).toBe("adv-new");
    expect(after.find((card) => card.id === "retrack")!.storedProblem).not.toBeNull();
  });

  it("importing a fixed settings file on /app/settings succeeds, blank secrets kept", async () => {
    const file = {
      currency: "shop",
      sendTestOrders: false,
      networks: {
        refersion: { enabled: true, publicKey: "pub-key-3", secretKey: "" },
        retrack: { enabled: true, apiToken: "", eventId: EVENT_ID },
        flexoffers: { enabled: false, advertiserId: "", commissionId: "" },
      },
    };
    const imported = await callRoute(settingsAction, adminRequest("/app/settings", { shop: SHOP, form: { intent: "import", file: JSON.stringify(file) } }));
    expect(imported.data).toMatchObject({ intent: "import", ok: true });
    expect(await retrackToken()).toBe(mine.secrets[1]);
    expect((await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "retrack")!.settings.eventId).toBe(EVENT_ID);
  });

  it("an import that is still invalid is refused with the reason, changing nothing", async () => {
    const file = { networks: { retrack: { enabled: true, apiToken: "", eventId: "still-not-a-uuid" } } };
    const imported = await callRoute(settingsAction, adminRequest("/app/settings", { shop: SHOP, form: { intent: "import", file: JSON.stringify(file) } }));
    expect(imported.data).toMatchObject({ intent: "import", ok: false, error: expect.stringMatching(/eventId/) });
    await expect(loadShopConfig(db, SHOP)).rejects.toThrow(/summer-campaign|event/i);
  });
});

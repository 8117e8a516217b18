// /app/networks through its real loader and action, with real session tokens, on both databases: cards from the
// registry, write-only secrets, inline errors from the networks' own schemas, the storefront metafield written on
// save, "Test connection", and nothing of another shop read or changed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { testNetworkForm } from "../../app/admin/network-forms.server.ts";
import { networkById, networks } from "../../app/networks/registry.ts";
import { action, loader } from "../../app/routes/app.networks.tsx";
import { loadShopConfig } from "../../app/settings/store.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { adminRequest, callRoute } from "./support/admin-request.ts";
import { seedAdminShop, type SeededAdminShop } from "./support/seed-admin.ts";

const SHOP = "networks-page.myshopify.com";
const OTHER = "networks-other.myshopify.com";

interface Card {
  id: string;
  label: string;
  enabled: boolean;
  configured: boolean;
  credentialsStatus: string | null;
  canCheckCredentials: boolean;
  fields: Array<{ key: string; value: string; secret: boolean; stored: null | { set: boolean; lastFour?: string | null } }>;
}

describe.each(databaseKinds)("/app/networks on %s", (kind) => {
  let db: Db;
  let mine: SeededAdminShop;
  let other: SeededAdminShop;
  let adminApi: MetafieldsAdminApi;

  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
    mine = await seedAdminShop(db, SHOP, 7);
    other = await seedAdminShop(db, OTHER, 8);
    adminApi = await startMetafieldsAdminApi(mine.accessToken);
    process.env.SHOPIFY_ADMIN_API_ORIGIN = adminApi.origin;
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    setDb(undefined);
    await adminApi?.close();
    await db?.$disconnect();
  });
  beforeEach(() => adminApi.reset());

  const load = async (shop = SHOP) => {
    const answer = await callRoute(loader, adminRequest("/app/networks", { shop }));
    expect(answer.status).toBe(200);
    return { cards: (answer.data as { cards: Card[] }).cards, text: answer.text };
  };
  const post = (form: Record<string, string>, shop = SHOP) => callRoute(action, adminRequest("/app/networks", { shop, form }));
  const noSecretsIn = (text: string) => {
    for (const secret of [...mine.secrets, ...other.secrets]) expect(text).not.toContain(secret);
  };

  it("lists every registered network with its fields; secrets only as set, with their last four characters", async () => {
    const { cards, text } = await load();
    expect(cards.map((card) => card.id)).toEqual(networks.map((network) => network.id));
    const refersion = cards.find((card) => card.id === "refersion")!;
    expect(refersion.fields.map((field) => field.key)).toEqual(networkById("refersion")!.fields.map((field) => field.key));
    expect(refersion.fields.find((field) => field.key === "publicKey")).toMatchObject({ value: "pub-key-7", stored: null });
    expect(refersion.fields.find((field) => field.key === "secretKey")).toMatchObject({ value: "", stored: { set: true, lastFour: "7e1d" } });
    expect(cards.find((card) => card.id === "retrack")).toMatchObject({ credentialsStatus: "rejected", enabled: true });
    for (const card of cards) expect(card.canCheckCredentials).toBe(typeof networkById(card.id)!.checkCredentials === "function");
    noSecretsIn(text);
    for (const mark of other.marks) expect(text).not.toContain(mark);
  });

  it("refuses a session token signed with another secret", async () => {
    const answer = await callRoute(loader, adminRequest("/app/networks", { shop: SHOP, secret: "not-the-app-secret" }));
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain("pub-key-7");
    const posted = await callRoute(action, adminRequest("/app/networks", { shop: SHOP, secret: "not-the-app-secret", form: { intent: "save", network: "refersion", enabled: "on", publicKey: "hijacked" } }));
    expect(posted.status).toBe(401);
    expect((await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "refersion")!.settings.publicKey).toBe("pub-key-7");
  });

  it("shows the schema's errors beside the fields, stores nothing, and echoes no secret", async () => {
    const answer = await post({ intent: "save", network: "refersion", enabled: "on", publicKey: "pub key with spaces", secretKey: "" });
    expect(answer.data).toMatchObject({ intent: "save", ok: false, fieldErrors: { publicKey: expect.stringContaining("without spaces") } });
    const config = await loadShopConfig(db, SHOP);
    expect(config!.networks.find((n) => n.definition.id === "refersion")!.settings.publicKey).toBe("pub-key-7");
    expect(adminApi.received).toHaveLength(0);
    noSecretsIn(answer.text);

    const retrack = await post({ intent: "save", network: "retrack", enabled: "on", apiToken: "", eventId: "not-a-uuid" });
    expect(retrack.data).toMatchObject({ ok: false, fieldErrors: { eventId: expect.stringContaining("UUID") } });
    const flexoffers = await post({ intent: "save", network: "flexoffers", enabled: "on", advertiserId: "", commissionId: "", cookieDays: "4000" });
    expect(flexoffers.data).toMatchObject({ ok: false, fieldErrors: { advertiserId: expect.stringContaining("empty"), cookieDays: expect.stringContaining("365") } });
  });

  it("saves a network, keeps a blank secret, writes the storefront metafield and says so", async () => {
    const answer = await post({ intent: "save", network: "refersion", enabled: "on", publicKey: "pub-key-7-new", secretKey: "" });
    expect(answer.data).toEqual({ intent: "save", network: "refersion", ok: true, storefront: { ok: true, synced: true, message: "app embed configuration updated" } });
    const refersion = (await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "refersion")!;
    expect(refersion.settings).toMatchObject({ publicKey: "pub-key-7-new", secretKey: "rfsn-secret-7-5f0c2a9b7e1d" });
    const stored = JSON.parse(adminApi.metafields.get("affiliate_relay.config")!.value);
    expect(stored.refersion).toEqual({ publicKey: "pub-key-7-new" });
    noSecretsIn(JSON.stringify([...adminApi.received]));
    noSecretsIn(answer.text);
    // Another network's stored secret is untouched by this save.
    expect((await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "retrack")!.settings.apiToken).toBe("retrack-token-7-77d1e3c4a9b0");
    // And the other shop is untouched.
    expect((await loadShopConfig(db, OTHER))!.networks.find((n) => n.definition.id === "refersion")!.settings.publicKey).toBe("pub-key-8");
  });

  it("a new secret replaces the stored one, resets the keys' status, and only its last four characters come back", async () => {
    const answer = await post({ intent: "save", network: "retrack", enabled: "on", apiToken: "a-brand-new-retrack-token-9Z8Y", eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" });
    expect(answer.data).toMatchObject({ ok: true });
    expect(answer.text).not.toContain("a-brand-new-retrack-token-9Z8Y");
    const { cards, text } = await load();
    const retrack = cards.find((card) => card.id === "retrack")!;
    expect(retrack.credentialsStatus).toBe("unverified");
    expect(retrack.fields.find((field) => field.key === "apiToken")!.stored).toEqual({ set: true, lastFour: "9Z8Y" });
    expect(text).not.toContain("a-brand-new-retrack-token-9Z8Y");
  });

  it("says when the metafield could not be written, with the settings saved all the same", async () => {
    adminApi.refuseWith = { field: ["metafields", "0", "value"], message: "Value is too large.", code: "INVALID_VALUE" };
    const answer = await post({ intent: "save", network: "flexoffers", enabled: "on", advertiserId: "adv-7b", commissionId: "", cookieDays: "45" });
    expect(answer.data).toMatchObject({ ok: true, storefront: { ok: false, synced: false, message: expect.stringContaining("Value is too large.") } });
    expect((await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "flexoffers")!.settings).toMatchObject({ advertiserId: "adv-7b", cookieDays: 45 });
  });

  it("Test connection says plainly when the network offers no check, and sends nothing", async () => {
    const unchecked = networks.find((network) => !network.checkCredentials);
    if (!unchecked) return; // every registered network has a check: covered by the next test
    const form: Record<string, string> = { intent: "test", network: unchecked.id };
    const answer = await post(form);
    const data = answer.data as { ok: boolean; check?: { outcome: string; message: string }; fieldErrors?: Record<string, string> };
    expect(data.ok).toBe(true);
    expect(data.check).toEqual({ outcome: "unverified", message: expect.stringContaining(`${unchecked.label} offers no way to check keys`) });
    noSecretsIn(answer.text);
  });

  it("Test connection hands the network's check the stored secret for a blank field, and reports its outcome", async () => {
    const refersion = networkById("refersion")!;
    const seen: unknown[] = [];
    const checking = {
      ...refersion,
      async checkCredentials(settings: Record<string, unknown>) {
        seen.push(settings);
        return { outcome: "rejected" as const, message: "Refersion answered 401: the keys are not valid" };
      },
    };
    const form = new FormData();
    form.set("publicKey", "pub-key-7-new");
    form.set("secretKey", "");
    const result = await testNetworkForm(db, SHOP, checking, form);
    expect(result).toEqual({ intent: "test", network: "refersion", ok: true, check: { outcome: "rejected", message: "Refersion answered 401: the keys are not valid" } });
    expect(seen).toEqual([{ enabled: true, publicKey: "pub-key-7-new", secretKey: "rfsn-secret-7-5f0c2a9b7e1d" }]);
    // The other shop's secret is never used for this one.
    const forOther = await testNetworkForm(db, "no-settings.myshopify.com", checking, form);
    expect(forOther).toMatchObject({ ok: false, fieldErrors: { secretKey: expect.any(String) } });
  });

  it("answers 400 for a network that is not registered", async () => {
    expect((await post({ intent: "save", network: "nope" })).status).toBe(400);
  });
});

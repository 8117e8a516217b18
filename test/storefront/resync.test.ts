// Shops whose storefront metafield was written before the configuration's format was numbered (format 1, or the
// capture table without a version) are re-synced by the worker through Shopify's library, against the loopback
// Admin API stand-in (devkit/shopify-admin/metafields-admin-api.ts), on both databases; once, and only those.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { startWorker } from "../../app/pipeline/worker.server.ts";
import { saveSettingsAndSyncStorefront } from "../../app/settings/save-and-sync.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { parseStorefrontConfig, STOREFRONT_CONFIG_VERSION } from "../../app/storefront/config.ts";
import { resyncOutdatedStorefronts } from "../../app/storefront/resync.server.ts";
import { eventually } from "../../devkit/storefront/harness.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { offlineSessionRow } from "../../devkit/shopify-admin/shopify-admin-api.ts";

const SHOP = "resync-test.myshopify.com";
const TOKEN = "shpat_resync_offline_token";
const KEY = "affiliate_relay.config";
const settingsFile = JSON.parse(readFileSync(new URL("../fixtures/orders/settings-example.json", import.meta.url), "utf8")) as Record<string, unknown>;
/** What the shop's metafield held when it was synced before the capture table (app/storefront/embed/legacy-config.ts). */
const FORMAT_1 = JSON.stringify({
  consentGating: true,
  refersion: { enabled: true, publicKey: "pub_example_1234" },
  retrack: { enabled: true, cookieDays: 10 },
  flexoffers: { enabled: false, cookieDays: 30 },
});
const quiet = { info() {}, warn() {}, error() {} };

describe.each(databaseKinds)("storefront configuration re-sync on %s", (kind) => {
  let admin: MetafieldsAdminApi;
  let db: Db;

  beforeAll(async () => {
    db = (await createTestDb(kind)).db;
    setDb(db);
    admin = await startMetafieldsAdminApi(TOKEN);
    process.env.SHOPIFY_ADMIN_API_ORIGIN = admin.origin;
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    await admin.close();
    setDb(undefined);
    await db.$disconnect();
  });
  afterEach(async () => {
    admin.reset();
    await db.session.deleteMany();
    await db.networkConnection.deleteMany();
    await db.shop.deleteMany();
  });

  /** A shop synced by an older release: settings saved, its metafield in format 1, no version recorded. */
  async function syncedBefore(shop = SHOP) {
    await saveSettingsFile(db, shop, settingsFile);
    await db.session.create({ data: offlineSessionRow(shop, TOKEN) });
    admin.metafields.set(KEY, { value: FORMAT_1, type: "json" });
  }

  const written = () => parseStorefrontConfig(JSON.parse(admin.metafields.get(KEY)!.value));
  const metafieldWrites = () => admin.received.filter((r) => r.query.includes("metafieldsSet"));

  it("rewrites an old-format metafield in the current format once; a second run sends nothing", async () => {
    await syncedBefore();
    expect(await resyncOutdatedStorefronts(db)).toEqual({ synced: [SHOP], notInstalled: [], failed: [] });
    const config = written();
    expect(config.version).toBe(STOREFRONT_CONFIG_VERSION);
    expect(config.refersion).toEqual({ publicKey: "pub_example_1234" });
    expect(config.captures.map((c) => c.attribute)).toEqual(["_retrack_click"]);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).storefrontConfigVersion).toBe(STOREFRONT_CONFIG_VERSION);

    const requests = admin.received.length;
    expect(await resyncOutdatedStorefronts(db)).toEqual({ synced: [], notInstalled: [], failed: [] });
    expect(admin.received.length).toBe(requests);
  });

  it("leaves alone shops saved and synced by this release, uninstalled shops and shops never configured; says which are not installed", async () => {
    await saveSettingsFile(db, SHOP, settingsFile);
    await db.session.create({ data: offlineSessionRow(SHOP, TOKEN) });
    expect((await saveSettingsAndSyncStorefront(db, SHOP, settingsFile)).storefront.synced).toBe(true);
    await saveSettingsFile(db, "gone.myshopify.com", settingsFile);
    await db.shop.update({ where: { domain: "gone.myshopify.com" }, data: { uninstalledAt: new Date() } });
    await db.shop.create({ data: { domain: "fresh.myshopify.com" } });
    await saveSettingsFile(db, "elsewhere.myshopify.com", settingsFile);
    const before = admin.received.length;
    expect(await resyncOutdatedStorefronts(db)).toEqual({ synced: [], notInstalled: ["elsewhere.myshopify.com"], failed: [] });
    expect(admin.received.length).toBe(before);
  });

  it("keeps a shop behind when Shopify refuses the write, and writes it on the next run", async () => {
    await syncedBefore();
    admin.refuseWith = { field: ["metafields", "0", "value"], message: "Value exceeds the maximum size.", code: "INVALID_VALUE" };
    const refused = await resyncOutdatedStorefronts(db);
    expect(refused.failed).toEqual([{ shop: SHOP, reason: expect.stringContaining("Value exceeds the maximum size.") }]);
    expect(admin.metafields.get(KEY)!.value).toBe(FORMAT_1);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).storefrontConfigVersion).toBeNull();
    admin.refuseWith = null;
    expect((await resyncOutdatedStorefronts(db)).synced).toEqual([SHOP]);
    expect(written().version).toBe(STOREFRONT_CONFIG_VERSION);
  });

  it("writes the latest settings when they are saved while the re-sync writes", async () => {
    await syncedBefore();
    let saves = 0;
    const result = await resyncOutdatedStorefronts(db, {
      graphqlFor: async (shop) => {
        const { adminGraphqlForShop } = await import("../../app/shopify/admin-graphql.server.ts");
        const graphql = await adminGraphqlForShop(shop);
        return (async (document: string, variables?: Record<string, unknown>) => {
          const answer = await graphql(document, variables);
          // The merchant switches FlexOffers on just after the first write (their own sync landed before it).
          if (document.includes("metafieldsSet") && saves++ === 0) {
            await saveSettingsFile(db, shop, { ...settingsFile, networks: { ...(settingsFile.networks as object), flexoffers: { enabled: true, advertiserId: "A1", commissionId: "" } } });
          }
          return answer;
        }) as typeof graphql;
      },
    });
    expect(result.synced).toEqual([SHOP]);
    expect(metafieldWrites()).toHaveLength(2);
    expect(written().captures.map((c) => c.attribute)).toEqual(["_retrack_click", "_flexoffers_refid"]);
  });

  it("runs in the worker from its start", async () => {
    await syncedBefore();
    const worker = startWorker({ db, pollIntervalMs: 10, logger: quiet, reconcile: false, pruneReceipts: false });
    try {
      await eventually(async () => (await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).storefrontConfigVersion === STOREFRONT_CONFIG_VERSION, 15_000, "re-synced");
      expect(written().version).toBe(STOREFRONT_CONFIG_VERSION);
      expect(metafieldWrites()).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });
});

// syncStorefrontConfig through Shopify's library (app/shopify/admin-graphql.server.ts: the shop's offline session,
// refreshed when it expires) against a loopback stand-in for the Admin GraphQL API
// (devkit/shopify-admin/metafields-admin-api.ts) that checks what Shopify checks and answers userErrors the way Shopify
// does, with the offline session in a real database of each kind.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { adminGraphqlForShop, AdminApiError } from "../../app/shopify/admin-graphql.server.ts";
import { STOREFRONT_METAFIELD, StorefrontConfigError, type StorefrontConfig } from "../../app/storefront/config.ts";
import { StorefrontSyncError, syncStorefrontConfig } from "../../app/storefront/metafield-sync.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { INSTALLATION_ID, startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { offlineSessionRow } from "../../devkit/shopify-admin/shopify-admin-api.ts";

const SHOP = "relay-test.myshopify.com";
const TOKEN = "shpat_test_offline_token";

const config: StorefrontConfig = {
  consentGating: true,
  refersion: { publicKey: "pub_ee6ba2b9f9295e53f4eb" },
  captures: [{ param: "refid", pattern: "[\\s\\S]{1,200}", cookie: "flexoffers_refid", days: 30, attribute: "_flexoffers_refid" }],
};

describe.each(databaseKinds)("syncStorefrontConfig on %s", (kind) => {
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
  });

  const installed = (tokens: Parameters<typeof offlineSessionRow>[1] = TOKEN) => db.session.create({ data: offlineSessionRow(SHOP, tokens) });

  it("writes the configuration as a json app-data metafield owned by the current app installation", async () => {
    await installed();
    await syncStorefrontConfig(await adminGraphqlForShop(SHOP), config);
    expect(admin.received).toHaveLength(2);
    expect(admin.received[1]!.variables).toEqual({
      metafields: [{ ownerId: INSTALLATION_ID, namespace: "affiliate_relay", key: "config", type: "json", value: JSON.stringify(config) }],
    });
    const stored = admin.metafields.get(`${STOREFRONT_METAFIELD.namespace}.${STOREFRONT_METAFIELD.key}`);
    expect(stored?.type).toBe("json");
    expect(JSON.parse(stored!.value)).toEqual(config);
  });

  it("refreshes an expired offline access token at Shopify's token endpoint, stores the new one, and syncs with it", async () => {
    // Installed more than an hour ago: the expiring offline token has run out.
    const issued = admin.api.issueTokens({ expiresInMs: -60_000 });
    await installed(issued);
    await syncStorefrontConfig(await adminGraphqlForShop(SHOP), config);

    expect(admin.api.refreshRequests).toHaveLength(1);
    expect(admin.api.refreshRequests[0]).toEqual({
      status: 200,
      body: { client_id: process.env.SHOPIFY_API_KEY, client_secret: process.env.SHOPIFY_API_SECRET, refresh_token: issued.refreshToken, grant_type: "refresh_token" },
    });
    const fresh = admin.api.latestTokens()!;
    const requests = admin.api.graphqlRequests.filter((r) => r.token === fresh.accessToken);
    expect(requests.map((r) => r.outcome)).toEqual(["ok", "ok"]);
    expect(admin.api.graphqlRequests.some((r) => r.token === issued.accessToken)).toBe(false);
    expect(JSON.parse(admin.metafields.get("affiliate_relay.config")!.value)).toEqual(config);

    const session = await db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect(session.accessToken).toBe(fresh.accessToken);
    expect(session.refreshToken).toBe(fresh.refreshToken);
    expect(session.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);

    // The next sync uses the stored token as it is: no second refresh.
    await syncStorefrontConfig(await adminGraphqlForShop(SHOP), config);
    expect(admin.api.refreshRequests).toHaveLength(1);
  });

  it("fails with an AdminApiError and writes nothing when the expired token cannot be refreshed", async () => {
    const issued = admin.api.issueTokens({ expiresInMs: -60_000 });
    await installed({ ...issued, refreshToken: "shprt_revoked" });
    await expect(adminGraphqlForShop(SHOP)).rejects.toThrow(AdminApiError);
    expect(admin.api.refreshRequests.map((r) => r.status)).toEqual([400]);
    expect(admin.received).toHaveLength(0);
  });

  it("says the app is not installed when the shop has no offline session", async () => {
    const failure = await adminGraphqlForShop("elsewhere.myshopify.com").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdminApiError);
    expect(failure).toMatchObject({ status: null, message: "no offline session for elsewhere.myshopify.com: the app is not installed there" });
  });

  it("surfaces Shopify's userErrors as an error naming the field", async () => {
    await installed();
    admin.refuseWith = { field: ["metafields", "0", "value"], message: "Value exceeds the maximum size.", code: "INVALID_VALUE" };
    const graphql = await adminGraphqlForShop(SHOP);
    await expect(syncStorefrontConfig(graphql, config)).rejects.toThrow(StorefrontSyncError);
    await expect(syncStorefrontConfig(graphql, config)).rejects.toThrow(
      "Shopify refused the storefront configuration: metafields.0.value: Value exceeds the maximum size.",
    );
    expect(admin.metafields.size).toBe(0);
  });

  it("fails on a rejected access token without writing anything", async () => {
    await installed("shpat_wrong");
    const failure = await syncStorefrontConfig(await adminGraphqlForShop(SHOP), config).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdminApiError);
    expect(failure).toMatchObject({ status: 401 });
    expect(admin.metafields.size).toBe(0);
  });

  it("refuses an invalid configuration before calling Shopify", async () => {
    await installed();
    const leaky = { ...config, refersion: { ...config.refersion, secretKey: "sec_x" } } as unknown as StorefrontConfig;
    await expect(syncStorefrontConfig(await adminGraphqlForShop(SHOP), leaky)).rejects.toThrow(StorefrontConfigError);
    expect(admin.received).toHaveLength(0);
  });
});

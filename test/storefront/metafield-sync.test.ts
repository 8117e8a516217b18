// syncStorefrontConfig against a loopback stand-in for the Admin GraphQL API (test/support/metafields-admin-api.ts)
// that checks what Shopify checks and answers userErrors the way Shopify does.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { STOREFRONT_METAFIELD, StorefrontConfigError, type StorefrontConfig } from "../../app/storefront/config.ts";
import { StorefrontSyncError, syncStorefrontConfig } from "../../app/storefront/metafield-sync.server.ts";
import { adminGraphqlFor, AdminApiError } from "../../app/shopify/admin-graphql.server.ts";
import { INSTALLATION_ID, startMetafieldsAdminApi, type MetafieldsAdminApi } from "../support/metafields-admin-api.ts";

const SHOP = "relay-test.myshopify.com";
const TOKEN = "shpat_test_offline_token";

const config: StorefrontConfig = {
  consentGating: true,
  refersion: { publicKey: "pub_ee6ba2b9f9295e53f4eb" },
  captures: [{ param: "refid", pattern: "[\\s\\S]{1,200}", cookie: "flexoffers_refid", days: 30, attribute: "_flexoffers_refid" }],
};

let admin: MetafieldsAdminApi;

beforeAll(async () => {
  admin = await startMetafieldsAdminApi(TOKEN);
  process.env.SHOPIFY_ADMIN_API_ORIGIN = admin.origin;
});

afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
  await admin.close();
});

afterEach(() => admin.reset());

describe("syncStorefrontConfig", () => {
  it("writes the configuration as a json app-data metafield owned by the current app installation", async () => {
    await syncStorefrontConfig(adminGraphqlFor(SHOP, TOKEN), config);
    expect(admin.received).toHaveLength(2);
    expect(admin.received[1]!.variables).toEqual({
      metafields: [{ ownerId: INSTALLATION_ID, namespace: "affiliate_relay", key: "config", type: "json", value: JSON.stringify(config) }],
    });
    const stored = admin.metafields.get(`${STOREFRONT_METAFIELD.namespace}.${STOREFRONT_METAFIELD.key}`);
    expect(stored?.type).toBe("json");
    expect(JSON.parse(stored!.value)).toEqual(config);
  });

  it("surfaces Shopify's userErrors as an error naming the field", async () => {
    admin.refuseWith = { field: ["metafields", "0", "value"], message: "Value exceeds the maximum size.", code: "INVALID_VALUE" };
    const sync = syncStorefrontConfig(adminGraphqlFor(SHOP, TOKEN), config);
    await expect(sync).rejects.toThrow(StorefrontSyncError);
    await expect(syncStorefrontConfig(adminGraphqlFor(SHOP, TOKEN), config)).rejects.toThrow(
      "Shopify refused the storefront configuration: metafields.0.value: Value exceeds the maximum size.",
    );
    expect(admin.metafields.size).toBe(0);
  });

  it("fails on a rejected access token without writing anything", async () => {
    await expect(syncStorefrontConfig(adminGraphqlFor(SHOP, "shpat_wrong"), config)).rejects.toThrow(AdminApiError);
    expect(admin.metafields.size).toBe(0);
  });

  it("refuses an invalid configuration before calling Shopify", async () => {
    const leaky = { ...config, refersion: { ...config.refersion, secretKey: "sec_x" } } as unknown as StorefrontConfig;
    await expect(syncStorefrontConfig(adminGraphqlFor(SHOP, TOKEN), leaky)).rejects.toThrow(StorefrontConfigError);
    expect(admin.received).toHaveLength(0);
  });
});

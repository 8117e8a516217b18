// Saving settings, as the command line and the admin do it: store them, then push the storefront's public
// configuration to the theme app extension's metafield. The settings stay saved when the push fails; the
// caller reports it so the merchant can retry.
import type { Db } from "../db/client.server.ts";
import { adminGraphqlForShop, AdminApiError } from "../shopify/admin-graphql.server.ts";
import { storefrontConfigFromSettings } from "../storefront/config.ts";
import { syncStorefrontConfig } from "../storefront/metafield-sync.server.ts";
import { recordStorefrontSynced } from "../storefront/resync.server.ts";
import { exportSettingsFile, saveSettingsFile, type ShopConfig } from "./store.server.ts";

export interface SaveResult {
  config: ShopConfig;
  storefront: { ok: boolean; synced: boolean; message: string };
}

export async function saveSettingsAndSyncStorefront(db: Db, shop: string, input: unknown): Promise<SaveResult> {
  const config = await saveSettingsFile(db, shop, input);
  const storefrontConfig = storefrontConfigFromSettings(await exportSettingsFile(db, shop, { withoutInvalid: true }));
  let graphql;
  try {
    graphql = await adminGraphqlForShop(shop);
  } catch (error) {
    if (error instanceof AdminApiError && error.status === null) {
      // Not installed on that shop yet (e.g. settings prepared ahead, or the local demo): nothing to push to.
      return { config, storefront: { ok: true, synced: false, message: `not synced: ${error.message}` } };
    }
    throw error;
  }
  try {
    await syncStorefrontConfig(graphql, storefrontConfig);
    await recordStorefrontSynced(db, shop);
    return { config, storefront: { ok: true, synced: true, message: "app embed configuration updated" } };
  } catch (error) {
    return { config, storefront: { ok: false, synced: false, message: `settings saved, but the app embed was not updated: ${(error as Error).message}` } };
  }
}

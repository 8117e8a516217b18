// Re-syncs the storefront configuration of shops whose metafield was written in an older format
// (STOREFRONT_CONFIG_VERSION in app/storefront/config.ts; Shop.storefrontConfigVersion records what was last
// written). Run by the worker at start and then periodically (app/pipeline/worker.server.ts), so a release that
// changes the format reaches every shop without the merchant saving again. Idempotent: a shop is written again only
// while its recorded version is behind, and writing the same value twice changes nothing.
import type { Db } from "../db/client.server.ts";
import { exportSettingsFile } from "../settings/store.server.ts";
import { adminGraphqlForShop, AdminApiError, type AdminGraphql } from "../shopify/admin-graphql.server.ts";
import { STOREFRONT_CONFIG_VERSION, storefrontConfigFromSettings } from "./config.ts";
import { syncStorefrontConfig } from "./metafield-sync.server.ts";

export interface ResyncResult {
  synced: string[];
  /** Not installed (no offline session): nothing to write to; tried again on the next run. */
  notInstalled: string[];
  failed: Array<{ shop: string; reason: string }>;
}

/** Settings saved meanwhile are written again, at most this many times in one run. */
const ROUNDS = 3;

/** Records that the shop's metafield now holds the current format. */
export async function recordStorefrontSynced(db: Db, shop: string): Promise<void> {
  await db.shop.updateMany({ where: { domain: shop }, data: { storefrontConfigVersion: STOREFRONT_CONFIG_VERSION } });
}

async function resyncShop(db: Db, shop: string, graphql: AdminGraphql): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const before = await db.shop.findUnique({ where: { domain: shop }, select: { settingsSavedAt: true } });
    await syncStorefrontConfig(graphql, storefrontConfigFromSettings(await exportSettingsFile(db, shop, { withoutInvalid: true })));
    const after = await db.shop.findUnique({ where: { domain: shop }, select: { settingsSavedAt: true } });
    // A save in between synced its own settings, possibly before this write landed: write the latest again.
    if (after?.settingsSavedAt?.getTime() === before?.settingsSavedAt?.getTime()) return recordStorefrontSynced(db, shop);
  }
  throw new Error(`settings kept changing during ${ROUNDS} syncs; the next run goes on`);
}

export async function resyncOutdatedStorefronts(
  db: Db,
  options: { graphqlFor?: (shop: string) => Promise<AdminGraphql> } = {},
): Promise<ResyncResult> {
  const graphqlFor = options.graphqlFor ?? adminGraphqlForShop;
  const shops = await db.shop.findMany({
    where: {
      uninstalledAt: null,
      settingsSavedAt: { not: null },
      OR: [{ storefrontConfigVersion: null }, { storefrontConfigVersion: { lt: STOREFRONT_CONFIG_VERSION } }],
    },
    select: { domain: true },
    orderBy: { domain: "asc" },
  });
  const result: ResyncResult = { synced: [], notInstalled: [], failed: [] };
  for (const { domain: shop } of shops) {
    try {
      await resyncShop(db, shop, await graphqlFor(shop));
      result.synced.push(shop);
    } catch (error) {
      if (error instanceof AdminApiError && error.status === null) result.notInstalled.push(shop);
      else result.failed.push({ shop, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

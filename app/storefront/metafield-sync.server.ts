// Publishes a shop's storefront configuration to the app-data metafield the theme app extension reads. Called
// whenever settings are saved (the settings import command, the admin).
import type { AdminGraphql } from "../shopify/admin-graphql.server.ts";
import { CURRENT_APP_INSTALLATION, STOREFRONT_METAFIELDS_SET } from "../shopify/documents/index.ts";
import { parseStorefrontConfig, STOREFRONT_METAFIELD, type StorefrontConfig } from "./config.ts";

interface InstallationData {
  currentAppInstallation: { id: string } | null;
}

interface MetafieldsSetData {
  metafieldsSet: {
    metafields: Array<{ id: string }> | null;
    userErrors: Array<{ field: string[] | null; message: string; code: string | null }>;
  } | null;
}

export class StorefrontSyncError extends Error {}

export async function syncStorefrontConfig(graphql: AdminGraphql, config: StorefrontConfig): Promise<void> {
  // Validated again here: this value is rendered into every storefront page, so nothing unchecked goes out.
  const value = JSON.stringify(parseStorefrontConfig(config));
  const { data: installation } = await graphql<InstallationData>(CURRENT_APP_INSTALLATION);
  const ownerId = installation.currentAppInstallation?.id;
  if (!ownerId) throw new StorefrontSyncError("the Admin API returned no current app installation");
  const { data: result } = await graphql<MetafieldsSetData>(STOREFRONT_METAFIELDS_SET, {
    metafields: [{ ownerId, ...STOREFRONT_METAFIELD, value }],
  });
  const outcome = result.metafieldsSet;
  if (!outcome) throw new StorefrontSyncError("metafieldsSet returned nothing");
  if (outcome.userErrors.length > 0) {
    const detail = outcome.userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ");
    throw new StorefrontSyncError(`Shopify refused the storefront configuration: ${detail}`);
  }
}

// One Admin API version (app/shopify/api-version.ts): the newest stable one both Shopify's library and
// @shopify/dev-mcp's schemas know, named the same in shopify.app.toml, and the one the library really calls.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ApiVersion } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { adminGraphqlForShop } from "../../app/shopify/admin-graphql.server.ts";
import { API_VERSION } from "../../app/shopify/api-version.ts";
import { CURRENT_APP_INSTALLATION } from "../../app/shopify/documents/index.ts";
import { schemaVersions } from "../../devkit/shopify-admin/admin-schema.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { INSTALLATION_ID, startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { offlineSessionRow } from "../../devkit/shopify-admin/shopify-admin-api.ts";

const root = path.resolve(import.meta.dirname, "../..");

/** [webhooks] api_version in shopify.app.toml. */
function tomlWebhooksApiVersion(): string | undefined {
  const toml = readFileSync(path.join(root, "shopify.app.toml"), "utf8");
  const table = /^\[webhooks\]\s*$([\s\S]*?)(?=^\s*\[)/m.exec(toml)?.[1] ?? "";
  return /^\s*api_version\s*=\s*"([^"]+)"\s*$/m.exec(table)?.[1];
}

describe("the Admin API version", () => {
  it("is the one shopify.app.toml subscribes webhooks with", () => {
    expect(tomlWebhooksApiVersion()).toBe(API_VERSION);
  });

  it("is the newest stable version that both @shopify/shopify-api and @shopify/dev-mcp's schemas have", () => {
    // dev-mcp's own "latest" flag was set before that version's release date, so the versions themselves decide.
    const library = Object.values(ApiVersion).filter((v) => /^\d{4}-\d{2}$/.test(v));
    const both = schemaVersions().filter((v) => library.includes(v as ApiVersion));
    expect(both.length).toBeGreaterThan(0);
    expect(API_VERSION).toBe(both.at(-1));
  });
});

describe.each(databaseKinds)("Shopify's library on %s", (kind) => {
  let db: Db;
  let admin: MetafieldsAdminApi;
  beforeAll(async () => {
    db = (await createTestDb(kind)).db;
    setDb(db);
    admin = await startMetafieldsAdminApi("shpat_version_check");
    process.env.SHOPIFY_ADMIN_API_ORIGIN = admin.origin;
    await db.session.create({ data: offlineSessionRow("version-check.myshopify.com", "shpat_version_check") });
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    await admin.close();
    setDb(undefined);
    await db.$disconnect();
  });

  it("calls the Admin API at that version (the stand-in answers only /admin/api/<API_VERSION>/graphql.json)", async () => {
    const graphql = await adminGraphqlForShop("version-check.myshopify.com");
    const { data } = await graphql<{ currentAppInstallation: { id: string } }>(CURRENT_APP_INSTALLATION);
    expect(data.currentAppInstallation.id).toBe(INSTALLATION_ID);
  });
});

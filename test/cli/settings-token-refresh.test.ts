// `affiliate-relay settings import` as a child process (outside Remix) for a shop whose expiring offline access
// token ran out an hour after install: the command refreshes it through Shopify's library at the token endpoint
// of the loopback stand-in (devkit/shopify-admin/shopify-admin-api.ts), stores the new tokens, and updates the app embed.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { offlineSessionRow } from "../../devkit/shopify-admin/shopify-admin-api.ts";

const root = path.resolve(import.meta.dirname, "../..");
const SHOP = "expired-token-shop.myshopify.com";
const settingsFile = path.join(mkdtempSync(path.join(tmpdir(), "affiliate-relay-refresh-")), "settings.json");
writeFileSync(settingsFile, readFileSync(path.join(root, "test/fixtures/orders/settings-example.json")));

function importSettings(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const args = [path.join(root, "bin/affiliate-relay.mjs"), "settings", "import", "--shop", SHOP, settingsFile];
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

describe.each(databaseKinds)("settings import with an expired offline token on %s", { timeout: 90_000 }, (kind) => {
  let db: Db;
  let url: string;
  let admin: MetafieldsAdminApi;
  beforeAll(async () => {
    ({ db, url } = await createTestDb(kind));
    admin = await startMetafieldsAdminApi();
  });
  afterAll(async () => {
    await admin.close();
    await db.$disconnect();
  });

  it("refreshes the token, stores the new one and updates the app embed", async () => {
    const expired = admin.api.issueTokens({ expiresInMs: -5 * 60_000 });
    await db.session.create({ data: offlineSessionRow(SHOP, expired) });

    const run = await importSettings({ DATABASE_URL: url, SHOPIFY_ADMIN_API_ORIGIN: admin.origin });
    expect(run.stderr).toMatch(/storefront: app embed configuration updated/);
    expect(run.code).toBe(0);

    expect(admin.api.refreshRequests.map((r) => [r.status, r.body.refresh_token])).toEqual([[200, expired.refreshToken]]);
    const fresh = admin.api.latestTokens()!;
    const session = await db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect([session.accessToken, session.refreshToken]).toEqual([fresh.accessToken, fresh.refreshToken]);
    expect(admin.metafields.get("affiliate_relay.config")).toMatchObject({ type: "json" });
  });
});

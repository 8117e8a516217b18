// `affiliate-relay settings import|export` end to end, as child processes through the package's bin, on a real
// database, with the storefront configuration pushed to a loopback stand-in for the Admin GraphQL API.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";

const root = path.resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(path.join(tmpdir(), "affiliate-relay-settings-"));
const TOKEN = "shpat_cli_offline_token";
const INSTALLED = "installed-shop.myshopify.com";
const NOT_INSTALLED = "prepared-shop.myshopify.com";
const example = JSON.parse(readFileSync(path.join(root, "test/fixtures/orders/settings-example.json"), "utf8"));

function file(name: string, content: unknown): string {
  const target = path.join(scratch, name);
  writeFileSync(target, typeof content === "string" ? content : JSON.stringify(content));
  return target;
}

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, "bin/affiliate-relay.mjs"), "settings", ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// Each run starts a Node process that compiles TypeScript: allow for a loaded 2-core machine.
describe.each(databaseKinds)("affiliate-relay settings on %s", { timeout: 90_000 }, (kind) => {
  let db: Db;
  let env: Record<string, string>;
  let admin: MetafieldsAdminApi;
  beforeAll(async () => {
    const created = await createTestDb(kind);
    db = created.db;
    admin = await startMetafieldsAdminApi(TOKEN);
    env = { DATABASE_URL: created.url, SHOPIFY_ADMIN_API_ORIGIN: admin.origin };
    await db.session.create({ data: { id: `offline_${INSTALLED}`, shop: INSTALLED, state: "", isOnline: false, accessToken: TOKEN } });
  });
  afterAll(async () => {
    await admin.close();
    await db.$disconnect();
  });

  it("imports, encrypts the keys and pushes only public settings to the app embed", async () => {
    const run = await cli(env, "import", "--shop", INSTALLED, file("good.json", example));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/settings saved for installed-shop\.myshopify\.com; networks enabled: refersion, retrack$/m);
    expect(run.stderr).toMatch(/storefront: app embed configuration updated/);
    const stored = JSON.stringify(await db.networkConnection.findMany({ where: { shop: INSTALLED } }));
    expect(stored).not.toContain(example.networks.refersion.secretKey);
    expect(stored).not.toContain(example.networks.retrack.apiToken);
    const pushed = admin.metafields.get("affiliate_relay.config")!;
    // Refersion's key, and a capture for Retrack (on) but none for FlexOffers (off in the file).
    expect(JSON.parse(pushed.value)).toMatchObject({ refersion: { publicKey: example.networks.refersion.publicKey } });
    expect(JSON.parse(pushed.value).captures.map((c: { attribute: string }) => c.attribute)).toEqual(["_retrack_click"]);
    expect(pushed.value).not.toContain(example.networks.refersion.secretKey);
    expect(pushed.value).not.toContain(example.networks.retrack.apiToken);
  });

  it("exports without secrets unless asked for them", async () => {
    const plain = await cli(env, "export", "--shop", INSTALLED);
    expect(plain.code).toBe(0);
    const exported = JSON.parse(plain.stdout);
    expect(exported.networks.refersion).toMatchObject({ enabled: true, publicKey: example.networks.refersion.publicKey, secretKey: "" });
    expect(plain.stdout).not.toContain(example.networks.retrack.apiToken);
    const full = JSON.parse((await cli(env, "export", "--shop", INSTALLED, "--include-secrets")).stdout);
    expect(full.networks.retrack.apiToken).toBe(example.networks.retrack.apiToken);
  });

  it("saves settings for a shop that has not installed the app yet, and says the embed was not updated", async () => {
    const run = await cli(env, "import", "--shop", NOT_INSTALLED, file("prepared.json", example));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/storefront: not synced: no offline session for prepared-shop\.myshopify\.com/);
    expect(await db.networkConnection.count({ where: { shop: NOT_INSTALLED } })).toBe(3);
  });

  // Input errors are caught before the database is touched (the store's own tests cover both databases there):
  // once is enough for the process-level behaviour.
  if (kind === "sqlite") it("rejects bad input with one line on stderr, a non-zero exit, and nothing changed", async () => {
    const before = JSON.stringify(await db.networkConnection.findMany({ where: { shop: INSTALLED }, orderBy: { network: "asc" } }));
    const broken = { ...example, networks: { ...example.networks, retrack: { ...example.networks.retrack, eventId: "nope" } } };
    const cases: Array<[string[], RegExp]> = [
      [["import", "--shop", INSTALLED, path.join(scratch, "missing.json")], /cannot read the settings file .*missing\.json: no such file \(ENOENT\)/],
      [["import", "--shop", INSTALLED, file("bad.json", "{not json")], /is not valid JSON/],
      // Node's own JSON errors quote the text around the fault: the secret must never be printed.
      [["import", "--shop", INSTALLED, file("leaky-1.json", '{"networks": {"refersion": {"secretKey": sk_live_51SuperSecretValue}}}')], /leaky-1\.json is not valid JSON; its content is not shown, as it may hold secrets$/m],
      [["import", "--shop", INSTALLED, file("leaky-2.json", '{"networks": {"refersion": {"secretKey": "sk_live_51SuperSecretValue",}}}')], /leaky-2\.json is not valid JSON \(at line 1, column \d+\)/],
      [["import", "--shop", INSTALLED, file("leaky-3.json", { ...example, currency: "sk_live_51SuperSecretValue" })], /currency/],
      [["import", "--shop", INSTALLED, file("invalid.json", broken)], /networks\.retrack\.eventId/],
      [["import", "--shop", "not a shop", file("x.json", example)], /--shop must be a \*\.myshopify\.com domain/],
      [["import", file("y.json", example)], /--shop <domain> is required/],
      [["export", "--shop", "unknown-shop.myshopify.com"], /no settings stored for unknown-shop/],
      [["frobnicate"], /usage: affiliate-relay settings/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(env, ...args);
      expect(run.code, args.join(" ")).toBe(1);
      expect(run.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stderr, args.join(" ")).not.toMatch(/sk_live|SuperSecret/);
    }
    expect(JSON.stringify(await db.networkConnection.findMany({ where: { shop: INSTALLED }, orderBy: { network: "asc" } }))).toBe(before);
  }, 180_000);
});

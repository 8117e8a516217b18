// Key rotation as README describes it, through the package's bin on a real database: credentials saved under a
// bare key still open with "new:<k2>,old:<k1>"; serve and worker refuse to start, in one line naming the missing
// key ids, when ENCRYPTION_KEY lacks a key stored credentials need; `keys rotate` re-seals everything with the
// first key, after which the old one can go.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { keyFingerprint, sealedKeyId } from "../../app/security/encryption.server.ts";
import { loadShopConfig, saveSettingsFile } from "../../app/settings/store.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";

const root = path.resolve(import.meta.dirname, "../..");
const SHOP = "rotating-keys.myshopify.com";
const SETTINGS = {
  currency: "shop",
  sendTestOrders: false,
  networks: {
    refersion: { enabled: true, publicKey: "pub_rotation", secretKey: "sec_rotation_never_logged" },
    retrack: { enabled: true, apiToken: "retrack_rotation_token", eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" },
    flexoffers: { enabled: false, advertiserId: "", commissionId: "" },
  },
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The bin as a child process. `until` ends a long-running command (worker, serve) with SIGTERM once its output
 * matches; a command still running after the limit is killed and reported with code null.
 */
function cli(env: Record<string, string>, args: string[], until?: RegExp): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin/affiliate-relay.mjs"), ...args], {
      cwd: root,
      // The start-up line is an info line: the suite runs with LOG_LEVEL=warn (vitest.config.ts).
      env: { ...process.env, LOG_LEVEL: "info", SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "http://localhost", ...env },
    });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    const watch = () => {
      if (until && !signalled && until.test(stdout + stderr)) {
        signalled = true;
        child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", (chunk: Buffer) => ((stdout += chunk.toString()), watch()));
    child.stderr.on("data", (chunk: Buffer) => ((stderr += chunk.toString()), watch()));
    const limit = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const bare1 = k1.toString("base64");
const recipe = `new:${k2.toString("base64")},old:${k1.toString("base64")}`;
const onlyNew = `new:${k2.toString("base64")}`;

// Each run starts a Node process that compiles TypeScript: allow for a loaded 2-core machine.
describe.each(databaseKinds)("ENCRYPTION_KEY rotation on %s", { timeout: 240_000 }, (kind) => {
  let db: Db;
  let url: string;
  beforeAll(async () => {
    ({ db, url } = await createTestDb(kind));
    vi.stubEnv("ENCRYPTION_KEY", bare1);
    await saveSettingsFile(db, SHOP, SETTINGS);
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await db.$disconnect();
  });

  async function keyIds(): Promise<string[]> {
    const rows = await db.networkConnection.findMany({ where: { shop: SHOP, secretCiphertext: { not: null } }, orderBy: { network: "asc" } });
    return rows.map((row) => `${sealedKeyId(row.secretCiphertext!)}/${row.secretKeyId}`);
  }

  async function secretsWith(key: string) {
    vi.stubEnv("ENCRYPTION_KEY", key);
    try {
      const config = await loadShopConfig(db, SHOP);
      return Object.fromEntries(config!.networks.map((n) => [n.definition.id, n.settings]));
    } finally {
      vi.unstubAllEnvs();
    }
  }

  it("opens credentials saved under a bare key with README's recipe new:<k2>,old:<k1>", async () => {
    expect(await keyIds()).toEqual([`${keyFingerprint(k1)}/${keyFingerprint(k1)}`, `${keyFingerprint(k1)}/${keyFingerprint(k1)}`]);
    const secrets = await secretsWith(recipe);
    expect(secrets.refersion).toMatchObject({ secretKey: "sec_rotation_never_logged" });
    expect(secrets.retrack).toMatchObject({ apiToken: "retrack_rotation_token" });
  });

  it("serve and worker refuse to start without the old key, in one line naming its id", async () => {
    const env = { DATABASE_URL: url, ENCRYPTION_KEY: onlyNew };
    for (const args of [["worker", "--reconcile-minutes", "0"], ["serve"]]) {
      const run = await cli(env, args, /"msg":"started"|listening on/);
      expect(run.code, `${args[0]}: ${run.stdout}${run.stderr}`).toBe(1);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toContain(`affiliate-relay ${args[0]}: ENCRYPTION_KEY does not list the key that stored credentials were encrypted with: ${keyFingerprint(k1)} `);
      expect(run.stderr).not.toContain(k1.toString("base64"));
      expect(run.stdout).not.toMatch(/started|listening/);
    }
  });

  it("keys rotate re-encrypts every credential with the first key; then the old key can go", async () => {
    const rotate = await cli({ DATABASE_URL: url, ENCRYPTION_KEY: recipe }, ["keys", "rotate"]);
    expect([rotate.code, rotate.stderr]).toEqual([0, ""]);
    expect(rotate.stdout).toMatch(new RegExp(`^re-encrypted 2 credentials with key ${keyFingerprint(k2)} \\(0 already used it\\)`));
    expect(await keyIds()).toEqual([`${keyFingerprint(k2)}/${keyFingerprint(k2)}`, `${keyFingerprint(k2)}/${keyFingerprint(k2)}`]);
    // The credentials themselves are unchanged, and their version too (nothing to re-verify).
    expect((await secretsWith(onlyNew)).refersion).toMatchObject({ secretKey: "sec_rotation_never_logged" });
    expect((await db.networkConnection.findMany({ where: { shop: SHOP } })).map((c) => c.credentialsVersion)).toEqual([1, 1, 1]);

    const again = await cli({ DATABASE_URL: url, ENCRYPTION_KEY: recipe }, ["keys", "rotate"]);
    expect(again.stdout).toMatch(/^re-encrypted 0 credentials with key \w+ \(2 already used it\)/);
    const worker = await cli({ DATABASE_URL: url, ENCRYPTION_KEY: onlyNew }, ["worker", "--reconcile-minutes", "0"], /"msg":"started"/);
    expect([worker.code, worker.stderr]).toEqual([0, ""]);
    expect(worker.stdout).toMatch(/"msg":"started"/);
    const check = await cli({ DATABASE_URL: url, ENCRYPTION_KEY: bare1 }, ["keys", "check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`affiliate-relay keys: ENCRYPTION_KEY does not list the key that stored credentials were encrypted with: ${keyFingerprint(k2)} `);
  });
});

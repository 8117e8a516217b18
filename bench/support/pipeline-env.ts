// Environment and databases for the pipeline benchmarks, outside vitest: fake Shopify app settings, an encryption
// key, a throwaway PostgreSQL cluster, and migrated databases of either kind.
import { createClient } from "@libsql/client";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startPostgresCluster, type PostgresCluster } from "../../test/support/postgres-cluster.ts";

export const BENCH_SECRET = "bench-api-secret";

/** Must run before any app module that reads the environment at import time (app/shopify.server.ts). */
export function setBenchEnv(): void {
  Object.assign(process.env, {
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: BENCH_SECRET,
    SHOPIFY_APP_URL: "https://relay.bench",
    SCOPES: "read_orders",
    ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 9).toString("base64")}`,
    NODE_ENV: "production",
  });
}

const root = path.resolve(import.meta.dirname, "../..");

function migrations(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => readFileSync(path.join(folder, name, "migration.sql"), "utf8"));
}

export async function sqliteDatabase(): Promise<string> {
  const url = `file:${path.join(mkdtempSync(path.join(tmpdir(), "relay-bench-")), "bench.sqlite")}`;
  const client = createClient({ url });
  for (const sql of migrations(path.join(root, "prisma", "migrations"))) await client.executeMultiple(sql);
  client.close();
  return url;
}

export async function postgresDatabase(cluster: PostgresCluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = cluster.adminUrl.replace(/\/postgres$/, `/${name}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const sql of migrations(path.join(root, "prisma", "postgresql", "migrations"))) await client.query(sql);
  await client.end();
  return url;
}

export { startPostgresCluster };

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(cells[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

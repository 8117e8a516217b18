// Environment and databases for the pipeline benchmarks, outside vitest: fake Shopify app settings, an encryption
// key, a throwaway PostgreSQL cluster, and migrated databases of either kind.
import { createPostgresDatabaseOn, createSqliteDatabase } from "../../devkit/databases/migrated-databases.ts";
import { startPostgresCluster, type PostgresCluster } from "../../devkit/databases/postgres-cluster.ts";

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

export function sqliteDatabase(): Promise<string> {
  return createSqliteDatabase("relay-bench-");
}

export function postgresDatabase(cluster: PostgresCluster, name: string): Promise<string> {
  return createPostgresDatabaseOn(cluster.adminUrl, name);
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

// Fresh databases with every migration applied, for tests and benchmarks alike (no test runner needed here).
import { createClient } from "@libsql/client";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");

function migrationSql(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => readFileSync(path.join(folder, name, "migration.sql"), "utf8"));
}

export async function createSqliteDatabase(prefix = "affiliate-relay-sqlite-"): Promise<string> {
  const url = `file:${path.join(mkdtempSync(path.join(tmpdir(), prefix)), "test.sqlite")}`;
  const client = createClient({ url });
  for (const sql of migrationSql(path.join(root, "prisma", "migrations"))) await client.executeMultiple(sql);
  client.close();
  return url;
}

/** A new database on the cluster behind adminUrl (…/postgres), migrated; returns its URL. */
export async function createPostgresDatabaseOn(adminUrl: string, name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const sql of migrationSql(path.join(root, "prisma", "postgresql", "migrations"))) await client.query(sql);
  await client.end();
  return url;
}

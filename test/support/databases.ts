// Fresh, migrated databases for a test file: one SQLite file and one PostgreSQL database on the run's cluster.
// Database tests run once per kind through `describe.each(databaseKinds)`.
import { createClient } from "@libsql/client";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { createDb, type Db, type DbKind } from "../../app/db/client.server.ts";

export const databaseKinds: DbKind[] = ["sqlite", "postgresql"];

const root = path.resolve(import.meta.dirname, "../..");

function migrationSql(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => readFileSync(path.join(folder, name, "migration.sql"), "utf8"));
}

export async function createSqliteDatabase(): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "affiliate-relay-sqlite-")), "test.sqlite");
  const url = `file:${file}`;
  const client = createClient({ url });
  for (const sql of migrationSql(path.join(root, "prisma", "migrations"))) await client.executeMultiple(sql);
  client.close();
  return url;
}

export async function createPostgresDatabase(): Promise<string> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
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

export async function createDatabaseUrl(kind: DbKind): Promise<string> {
  return kind === "sqlite" ? createSqliteDatabase() : createPostgresDatabase();
}

/** A migrated database of the given kind and its client; disconnect it in afterAll. */
export async function createTestDb(kind: DbKind): Promise<{ url: string; db: Db }> {
  const url = await createDatabaseUrl(kind);
  return { url, db: createDb(url) };
}

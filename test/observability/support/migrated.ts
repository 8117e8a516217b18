// Databases migrated the way operators migrate them (`npm run setup` runs scripts/prisma.mjs migrate), so that
// the migrations tables /readyz reads are filled in exactly as in production; and empty ones that are not.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { inject } from "vitest";
import type { DbKind } from "../../../app/db/client.server.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

/** A database of the given kind with no table at all. */
export async function emptyDatabaseUrl(kind: DbKind): Promise<string> {
  if (kind === "sqlite") return `file:${path.join(mkdtempSync(path.join(tmpdir(), "affiliate-relay-ops-")), "app.sqlite")}`;
  const adminUrl = inject("postgresAdminUrl");
  const name = `ops_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}

/** Runs the app's own migrator against `url`. */
export async function migrate(url: string): Promise<void> {
  await run(process.execPath, [path.join(root, "scripts", "prisma.mjs"), "migrate"], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", DATABASE_URL: url },
  });
}

export async function migratedDatabaseUrl(kind: DbKind): Promise<string> {
  const url = await emptyDatabaseUrl(kind);
  await migrate(url);
  return url;
}

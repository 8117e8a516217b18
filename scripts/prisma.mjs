#!/usr/bin/env node
// Prisma for both databases, offline.
//   generate: the SQLite and the PostgreSQL clients (their providers differ, so each has its own schema and client).
//   migrate:  applies the migrations for DATABASE_URL. SQLite through `prisma migrate deploy` (JS schema engine);
//             PostgreSQL through `pg`, because the offline JS schema engine cannot deploy to PostgreSQL 15.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaBin = path.join(root, "node_modules", "prisma", "build", "index.js");

function prisma(args, databaseUrl) {
  const result = spawnSync(process.execPath, [prismaBin, ...args], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

export function generate() {
  // Generation reads only the schema, but Prisma insists on a resolvable URL.
  prisma(["generate", "--no-hints"], "file:./prisma/generate.sqlite");
  prisma(["generate", "--no-hints", "--config", "prisma/postgresql/prisma.config.ts"], "postgresql://generate@127.0.0.1/generate");
}

export async function migratePostgres(databaseUrl) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  // A connection lost mid-migration fails the statement in progress (the migration's transaction rolls back);
  // without a listener the client's "error" event would end the process with a stack trace instead.
  client.on("error", () => {});
  await client.connect();
  try {
    // One migrator at a time, even with several app instances starting together.
    await client.query("SELECT pg_advisory_lock(727274)");
    await client.query(
      'CREATE TABLE IF NOT EXISTS "_affiliate_relay_migrations" (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const dir = path.join(root, "prisma", "postgresql", "migrations");
    const names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const applied = new Set((await client.query('SELECT name FROM "_affiliate_relay_migrations"')).rows.map((r) => r.name));
    for (const name of names) {
      if (applied.has(name)) continue;
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query('INSERT INTO "_affiliate_relay_migrations" (name) VALUES ($1)', [name]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw new Error(`migration ${name} failed: ${error.message}`);
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}

export async function migrate(databaseUrl = process.env.DATABASE_URL) {
  if (!databaseUrl) throw new Error("DATABASE_URL is not set (file:./path.sqlite or postgresql://...)");
  if (databaseUrl.startsWith("file:")) {
    prisma(["migrate", "deploy"], databaseUrl);
  } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    await migratePostgres(databaseUrl);
  } else {
    throw new Error("DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)");
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  try {
    if (command === "generate") generate();
    else if (command === "migrate") await migrate();
    else throw new Error("usage: node scripts/prisma.mjs generate|migrate");
  } catch (error) {
    console.error(`prisma: ${error.message}`);
    process.exit(1);
  }
}

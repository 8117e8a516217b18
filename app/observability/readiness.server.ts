// /readyz: can this process serve? The database answers, and every migration this release ships has been
// applied to it. Migrations are recorded where scripts/prisma.mjs applies them: Prisma's _prisma_migrations on
// SQLite (`prisma migrate deploy`), _affiliate_relay_migrations on PostgreSQL (applied through pg).
import { readdirSync } from "node:fs";
import path from "node:path";
import type { Db } from "../db/client.server.ts";
import { driverFor, sql, type SqlDriver } from "../pipeline/sql/driver.server.ts";

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface ReadinessOptions {
  /** The prisma/ folder this release ships: migrations/ (SQLite) and postgresql/migrations/. */
  prismaDir: string;
  /** A database that has not answered by then counts as unreachable. */
  timeoutMs?: number;
}

const shipped = new Map<string, string[]>();

/** The migration folders of the release, read once per folder (they do not change while the process runs). */
export function shippedMigrations(folder: string): string[] {
  let names = shipped.get(folder);
  if (!names) {
    names = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    shipped.set(folder, names);
  }
  return names;
}

function appliedMigrations(driver: SqlDriver): Promise<string[]> {
  return driver.read(function* () {
    const { rows } =
      driver.kind === "sqlite"
        ? yield sql`SELECT "migration_name" AS "name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`
        : yield sql`SELECT "name" FROM "_affiliate_relay_migrations"`;
    return rows.map((row) => String(row.name));
  });
}

function missingTable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "42P01" || /no such table/i.test(String(error));
}

const oneLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 200);

async function check(db: Db, options: ReadinessOptions): Promise<Readiness> {
  let driver: SqlDriver;
  try {
    driver = driverFor(db);
    await driver.read(function* () {
      yield sql`SELECT 1 AS "up"`;
    });
  } catch (error) {
    return { ready: false, reason: `database unreachable: ${oneLine(error)}` };
  }
  const folder = driver.kind === "sqlite" ? path.join(options.prismaDir, "migrations") : path.join(options.prismaDir, "postgresql", "migrations");
  let applied: Set<string>;
  try {
    applied = new Set(await appliedMigrations(driver));
  } catch (error) {
    if (missingTable(error)) return { ready: false, reason: "database not migrated (no migrations recorded): run npm run setup" };
    return { ready: false, reason: `could not read the applied migrations: ${oneLine(error)}` };
  }
  const missing = shippedMigrations(folder).filter((name) => !applied.has(name));
  if (missing.length) {
    return { ready: false, reason: `${missing.length} migration(s) not applied (first: ${missing[0]}): run npm run setup` };
  }
  return { ready: true };
}

export async function checkReadiness(db: Db, options: ReadinessOptions): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: `database unreachable: no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([check(db, options), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Fresh, migrated databases for a test file: one SQLite file and one PostgreSQL database on the run's cluster.
// Database tests run once per kind through `describe.each(databaseKinds)`.
import { afterAll, beforeEach, inject } from "vitest";
import { createDb, setDb, type Db, type DbKind } from "../../app/db/client.server.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { createPostgresDatabaseOn, createSqliteDatabase } from "../../devkit/databases/migrated-databases.ts";

export { createSqliteDatabase };

export const databaseKinds: DbKind[] = ["sqlite", "postgresql"];

export function createPostgresDatabase(): Promise<string> {
  return createPostgresDatabaseOn(inject("postgresAdminUrl"));
}

export async function createDatabaseUrl(kind: DbKind): Promise<string> {
  return kind === "sqlite" ? createSqliteDatabase() : createPostgresDatabase();
}

/** A migrated database of the given kind and its client; disconnect it in afterAll. */
export async function createTestDb(kind: DbKind): Promise<{ url: string; db: Db }> {
  const url = await createDatabaseUrl(kind);
  return { url, db: createDb(url) };
}

/**
 * A fresh migrated database for every test of the enclosing describe, set as the app's db() and prepared by
 * `setup`; all of them are closed after the last test. Returns the current test's client.
 */
export function freshDatabaseEachTest(kind: DbKind, setup?: (db: Db) => Promise<unknown>): () => Db {
  let current: Db | undefined;
  const clients: Db[] = [];
  afterAll(async () => {
    setDb(undefined);
    for (const client of clients) {
      await closeDriver(client);
      await client.$disconnect();
    }
  });
  beforeEach(async () => {
    const { db } = await createTestDb(kind);
    clients.push(db);
    setDb(db);
    current = db;
    await setup?.(db);
  });
  return () => current!;
}

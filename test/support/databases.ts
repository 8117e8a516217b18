// Fresh, migrated databases for a test file: one SQLite file and one PostgreSQL database on the run's cluster.
// Database tests run once per kind through `describe.each(databaseKinds)`.
import { inject } from "vitest";
import { createDb, type Db, type DbKind } from "../../app/db/client.server.ts";
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

// One Prisma client per process, for whichever database DATABASE_URL names.
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client.ts";
import { PrismaPgSurvivingLostConnections } from "./pg-pool.server.ts";
import { PrismaLibSQLWaitingForLocks } from "./prisma-libsql.server.ts";

// Both generated clients come from schemas with the same models (test/db/schema-parity.test.ts), so the app
// programs against one type; only the driver underneath differs.
export type Db = SqliteClient;
export type DbKind = "sqlite" | "postgresql";

export function databaseKind(url: string): DbKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error("DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)");
}

// The URL each client was made for: the order pipeline's hot paths open their own driver connection to it
// (app/pipeline/sql/), beside Prisma's.
const urls = new WeakMap<object, string>();

export function createDb(url: string): Db {
  const client =
    databaseKind(url) === "sqlite"
      ? new SqliteClient({ adapter: new PrismaLibSQLWaitingForLocks({ url }) })
      : (new PostgresClient({ adapter: new PrismaPgSurvivingLostConnections({ connectionString: url, max: 10 }) }) as unknown as Db);
  urls.set(client, url);
  return client;
}

export function databaseUrlOf(db: Db): string {
  const url = urls.get(db);
  if (!url) throw new Error("this database client was not made by createDb()");
  return url;
}

export function kindOf(db: Db): DbKind {
  return (db as unknown as { _activeProvider?: string })._activeProvider === "postgresql" ? "postgresql" : "sqlite";
}

let shared: Db | undefined;

/** The process-wide client for DATABASE_URL (the Remix template's `db.server.ts`, made lazy for the CLI). */
export function db(): Db {
  if (!shared) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set (file:./path.sqlite or postgresql://...)");
    shared = createDb(url);
  }
  return shared;
}

/** Points db() at another client: the CLI, the worker process and tests that run against several databases. */
export function setDb(client: Db | undefined): void {
  shared = client;
}

// The pipeline's SQLite connection when another process holds the write lock: the statement that met the lock
// is retried asynchronously (the connection never waits inside SQLite, which would block the event loop), and
// nothing it leaves behind may break the connection's other work meanwhile.
import Database from "libsql";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { closeDriver, driverFor, sql } from "../../app/pipeline/sql/driver.server.ts";
import { createSqliteDatabase } from "../support/databases.ts";

describe("the pipeline's SQLite connection beside another writer", () => {
  let db: Db | undefined;
  let neighbour: Database.Database | undefined;
  afterEach(async () => {
    neighbour?.close();
    if (db) {
      await closeDriver(db);
      await db.$disconnect();
    }
  });

  it("commits a transaction right after another statement met the lock and is waiting to be retried", async () => {
    const url = await createSqliteDatabase();
    db = createDb(url);
    const driver = driverFor(db);
    await driver.transaction(function* () {
      yield sql`INSERT INTO "Shop" ("domain", "updatedAt") VALUES ('a.myshopify.com', ${new Date()})`;
    });
    neighbour = new Database(url.replace(/^file:/, ""));
    neighbour.exec("BEGIN IMMEDIATE");
    neighbour.exec(`UPDATE "Shop" SET "sendTestOrders" = 1`);

    // A lease renewal (one UPDATE outside a transaction) meets the lock and waits to try again...
    const renewal = driver.read(function* () {
      return (yield sql`UPDATE "Shop" SET "updatedAt" = ${new Date()} WHERE "domain" = 'a.myshopify.com'`).changes;
    });
    neighbour.exec("COMMIT");
    // ...while a webhook's ingestion transaction runs on the same connection.
    const ingestion = driver.transaction(function* () {
      yield sql`INSERT INTO "Shop" ("domain", "updatedAt") VALUES ('b.myshopify.com', ${new Date()})`;
      return "committed";
    });

    expect(await ingestion).toBe("committed");
    expect(await renewal).toBe(1);
    expect(await db.shop.count()).toBe(2);
  });
});

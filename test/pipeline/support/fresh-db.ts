// For tests that post webhooks to the routes: the routes find their database through db() (setDb), so each test
// gets a fresh database of the file's kind, set there, with a shop's settings saved where given; every client is
// closed after the file.
import { afterAll, beforeEach } from "vitest";
import { setDb, type Db, type DbKind } from "../../../app/db/client.server.ts";
import { closeDriver } from "../../../app/pipeline/sql/driver.server.ts";
import { saveSettingsFile } from "../../../app/settings/store.server.ts";
import { createTestDb } from "../../support/databases.ts";

/** Registers the hooks; `use` receives each test's database before the test runs. */
export function freshDbPerTest(kind: DbKind, use: (db: Db) => void, saved?: { shop: string; settings: Parameters<typeof saveSettingsFile>[2] }): void {
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
    if (saved) await saveSettingsFile(db, saved.shop, saved.settings);
    use(db);
  });
}

// Group commit: on SQLite (app/pipeline/sql/driver.server.ts) transactions asked for together share one write
// transaction, each in its own savepoint; on PostgreSQL orders/paid webhooks arriving together are recorded by one
// statement (app/pipeline/outbox.server.ts). Nothing may be lost or written twice, and a unit that fails (in its
// own code, or in a statement, which costs libsql the connection) fails alone.
import Database from "libsql";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { networks } from "../../app/networks/registry.ts";
import { ingestPaidOrder } from "../../app/pipeline/ingest.server.ts";
import { closeDriver, driverFor, Rollback, sql, type Work } from "../../app/pipeline/sql/driver.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { attributedOrder, DEMO_SETTINGS } from "../../devkit/orders/attributed-order.ts";
import { createSqliteDatabase, createTestDb, databaseKinds } from "../support/databases.ts";

const SHOP = "group-commit.myshopify.com";

describe("group commit on SQLite", () => {
  let db: Db | undefined;
  let other: Database.Database | undefined;
  afterEach(async () => {
    other?.close();
    other = undefined;
    if (db) {
      await closeDriver(db);
      await db.$disconnect();
      db = undefined;
    }
  });

  const insertShop = (domain: string) => sql`INSERT INTO "Shop" ("domain", "updatedAt") VALUES (${domain}, ${new Date()})`;

  it("runs transactions asked for together in one write transaction, each visible to the next, none to others until COMMIT", async () => {
    const url = await createSqliteDatabase();
    db = createDb(url);
    const driver = driverFor(db);
    other = new Database(url.replace(/^file:/, ""));
    const seenElsewhere = () => Number((other!.prepare(`SELECT count(*) AS n FROM "Shop" WHERE "domain" = 'a.myshopify.com'`).get() as { n: number }).n);

    const first = driver.transaction(function* () {
      yield insertShop("a.myshopify.com");
    });
    const second = driver.transaction(function* (): Work<{ here: number; elsewhere: number }> {
      const here = Number((yield sql`SELECT count(*) AS n FROM "Shop" WHERE "domain" = 'a.myshopify.com'`).rows[0]!.n);
      // Read from another connection while this unit runs: the first unit's row is not committed yet.
      return { here, elsewhere: seenElsewhere() };
    });
    await first;
    expect(await second).toEqual({ here: 1, elsewhere: 0 });
    expect(seenElsewhere()).toBe(1);
  });

  it("fails only the unit that failed: its own error, a failed statement, and a Rollback leave the others committed", async () => {
    const url = await createSqliteDatabase();
    db = createDb(url);
    const driver = driverFor(db);
    const units = [
      driver.transaction(function* () {
        yield insertShop("ok-1.myshopify.com");
        return "ok-1";
      }),
      driver.transaction(function* (): Work<string> {
        yield insertShop("thrown.myshopify.com");
        throw new Error("the unit's own failure");
      }),
      driver.transaction(function* () {
        yield insertShop("ok-2.myshopify.com");
        return "ok-2";
      }),
      driver.transaction(function* () {
        yield insertShop("statement.myshopify.com");
        // A constraint violation: libsql loses the connection, and with it the batch's transaction so far.
        yield insertShop("ok-1.myshopify.com");
        return "never";
      }),
      driver.transaction(function* (): Work<string> {
        yield insertShop("rolled-back.myshopify.com");
        throw new Rollback("rolled back");
      }),
      driver.transaction(function* () {
        yield insertShop("ok-3.myshopify.com");
        return "ok-3";
      }),
    ];
    const settled = await Promise.allSettled(units);
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : String((s.reason as Error).message).slice(0, 22)))).toEqual([
      "ok-1",
      "the unit's own failure",
      "ok-2",
      expect.stringMatching(/UNIQUE|constraint/i),
      "rolled back",
      "ok-3",
    ]);
    const domains = (await db.shop.findMany({ orderBy: { domain: "asc" } })).map((s) => s.domain);
    expect(domains).toEqual(["ok-1.myshopify.com", "ok-2.myshopify.com", "ok-3.myshopify.com"]);
    // The connection is usable afterwards.
    await driver.transaction(function* () {
      yield insertShop("after.myshopify.com");
    });
    expect(await db.shop.count()).toBe(4);
  });
});

// PostgreSQL groups the orders/paid webhooks of one event-loop turn into one statement (app/pipeline/outbox.server.ts).
describe.each(databaseKinds)("webhooks recorded together on %s", (kind) => {
  let db: Db | undefined;
  afterEach(async () => {
    if (db) {
      await closeDriver(db);
      await db.$disconnect();
      db = undefined;
    }
  });

  it("records every one of many concurrent webhooks exactly once, repeats and all, with one delivery per network", async () => {
    db = (await createTestDb(kind)).db;
    await saveSettingsFile(db, SHOP, DEMO_SETTINGS);
    const ORDERS = 300;
    const client = db;
    // Every order twice under one event id (a Shopify retry) and once more under another (a second event).
    const webhooks = Array.from({ length: ORDERS }, (_, i) => [
      { eventId: `e-${i}`, n: i },
      { eventId: `e-${i}`, n: i },
      { eventId: `e-${i}-again`, n: i },
    ]).flat();
    const outcomes = await Promise.all(webhooks.map(({ eventId, n }) => ingestPaidOrder(client, { shop: SHOP, eventId, payload: attributedOrder(n) })));
    const kinds = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.kind]: (acc[o.kind] ?? 0) + 1 }), {});
    // One of each retried pair is a duplicate; the second event records nothing new but is not a duplicate receipt.
    expect(kinds).toEqual({ recorded: ORDERS * 2, duplicate: ORDERS });
    const created = outcomes.reduce((sum, o) => sum + (o.kind === "recorded" ? o.deliveries : 0), 0);
    expect(created).toBe(ORDERS * networks.length);
    expect(await db.webhookReceipt.count()).toBe(ORDERS * 2);
    expect(await db.order.count()).toBe(ORDERS);
    expect(await db.delivery.count()).toBe(ORDERS * networks.length);
    const perOrder = await db.delivery.groupBy({ by: ["orderId"], _count: { _all: true } });
    expect(perOrder).toHaveLength(ORDERS);
    for (const row of perOrder) expect(row._count._all).toBe(networks.length);
  });

  it("fails only the webhook the database refuses, not the others recorded with it", async () => {
    db = (await createTestDb(kind)).db;
    await saveSettingsFile(db, SHOP, DEMO_SETTINGS);
    const client = db;
    // The database itself refuses one order (a rule added to this throwaway database), after the checks in code.
    await db.$executeRawUnsafe(
      kind === "postgresql"
        ? `ALTER TABLE "Order" ADD CONSTRAINT "refuse_bad" CHECK ("name" <> '#refused')`
        : `CREATE TRIGGER "refuse_bad" BEFORE INSERT ON "Order" WHEN NEW."name" = '#refused' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    const payloads = Array.from({ length: 20 }, (_, i) => (i === 7 ? { ...attributedOrder(i), name: "#refused" } : attributedOrder(i)));
    const settled = await Promise.allSettled(payloads.map((payload, i) => ingestPaidOrder(client, { shop: SHOP, eventId: `f-${i}`, payload })));
    expect(settled.map((s) => s.status)).toEqual(payloads.map((_, i) => (i === 7 ? "rejected" : "fulfilled")));
    const refused = 1;
    expect(await db.order.count()).toBe(20 - refused);
    expect(await db.delivery.count()).toBe((20 - refused) * networks.length);
    expect(await db.webhookReceipt.count()).toBe(20 - refused);
  });
});

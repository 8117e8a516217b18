// A database that cannot be reached is an outage, answered 503 with Retry-After by every webhook route, and 500
// stays for defects. First the classification, on errors the real drivers raise (pg, libsql, Prisma over both);
// then the routes on a PostgreSQL cluster of this file's own, stopped and started again: nothing is written while
// it is down, and Shopify's retry of the same event afterwards records the order exactly once.
import type { ActionFunctionArgs } from "@remix-run/node";
import Database from "libsql";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, setDb, type Db } from "../../app/db/client.server.ts";
import { isDatabaseUnavailable } from "../../app/db/database-unavailable.server.ts";
import { closeDriver, driverFor, sql } from "../../app/pipeline/sql/driver.server.ts";
import { OUTAGE_RETRY_AFTER_SECONDS } from "../../app/pipeline/webhook-outage.server.ts";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact.tsx";
import { action as paid } from "../../app/routes/webhooks.orders.paid.tsx";
import { action as refund } from "../../app/routes/webhooks.refunds.create.tsx";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { createPostgresDatabaseOn } from "../../devkit/databases/migrated-databases.ts";
import { freePort, startPostgresCluster, type PostgresCluster } from "../../devkit/databases/postgres-cluster.ts";
import { attributedOrder, DEMO_SETTINGS } from "../../devkit/orders/attributed-order.ts";
import { signedWebhookRequest } from "../../devkit/shopify-webhook.ts";
import { networks } from "../../app/networks/registry.ts";
import { createPostgresDatabase, createSqliteDatabase } from "../support/databases.ts";

const SHOP = "outage.myshopify.com";

/** What `run` threw. */
async function thrownBy(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected it to throw");
}

const call = (action: (args: ActionFunctionArgs) => Promise<Response>, request: Request) => action({ request, params: {}, context: {} } as ActionFunctionArgs);

describe("what counts as the database being unavailable", () => {
  it("PostgreSQL: a refused connection, a terminated backend, a closed client; not a defect in a statement", async () => {
    const nobody = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${await freePort()}/postgres` });
    const refused = await thrownBy(() => nobody.connect());
    expect(refused).toMatchObject({ code: "ECONNREFUSED" });
    expect(isDatabaseUnavailable(refused)).toBe(true);

    const url = await createPostgresDatabase();
    const victim = new pg.Client({ connectionString: url });
    victim.on("error", () => {});
    await victim.connect();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const pid = (await victim.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
    const sleeping = thrownBy(() => victim.query("SELECT pg_sleep(10)"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);
    const terminated = await sleeping;
    expect(terminated).toMatchObject({ code: "57P01" });
    expect(isDatabaseUnavailable(terminated)).toBe(true);
    const afterwards = await thrownBy(() => victim.query("SELECT 1"));
    expect(String(afterwards)).toMatch(/not queryable|Connection terminated/);
    expect(isDatabaseUnavailable(afterwards)).toBe(true);

    await admin.query('CREATE TABLE "t" ("id" INT PRIMARY KEY)');
    await admin.query('INSERT INTO "t" VALUES (1)');
    for (const [statement, code] of [
      ["SELEC 1", "42601"],
      ['SELECT * FROM "missing"', "42P01"],
      ['INSERT INTO "t" VALUES (1)', "23505"],
      ["SELECT 1 / 0", "22012"],
    ] as const) {
      const defect = await thrownBy(() => admin.query(statement));
      expect(defect, statement).toMatchObject({ code });
      expect(isDatabaseUnavailable(defect), statement).toBe(false);
    }
    await admin.end();
  });

  it("PostgreSQL through the app's clients: the pipeline's driver and Prisma, with nothing listening", async () => {
    const db = createDb(`postgresql://postgres@127.0.0.1:${await freePort()}/nowhere`);
    try {
      const driverError = await thrownBy(() => driverFor(db).read(function* () { return (yield sql`SELECT 1`).rows; }));
      expect(isDatabaseUnavailable(driverError)).toBe(true);
      const prismaError = await thrownBy(() => db.shop.count());
      expect(isDatabaseUnavailable(prismaError), String(prismaError)).toBe(true);
    } finally {
      await closeDriver(db).catch(() => {});
      await db.$disconnect().catch(() => {});
    }
  });

  it("SQLite: the write lock held by another connection, a file that cannot be opened; not a constraint or a typo", async () => {
    const file = (await createSqliteDatabase()).replace(/^file:/, "");
    const holder = new Database(file);
    const other = new Database(file);
    other.prepare("PRAGMA busy_timeout = 0").get();
    holder.exec("BEGIN IMMEDIATE");
    const busy = await thrownBy(() => other.exec("BEGIN IMMEDIATE"));
    expect(String((busy as { code?: string }).code)).toMatch(/^SQLITE_BUSY/);
    expect(isDatabaseUnavailable(busy)).toBe(true);
    holder.exec("ROLLBACK");

    // A file whose folder is gone (an unmounted volume): libsql says so without a code.
    const cannotOpen = await thrownBy(() => new Database(path.join(mkdtempSync(path.join(tmpdir(), "outage-")), "gone", "app.sqlite")));
    expect(String(cannotOpen)).toMatch(/Failed to connect to database/);
    expect(isDatabaseUnavailable(cannotOpen)).toBe(true);

    holder.exec(`INSERT INTO "Shop" ("domain", "updatedAt") VALUES ('a.myshopify.com', '2026-01-01')`);
    const constraint = await thrownBy(() => holder.exec(`INSERT INTO "Shop" ("domain", "updatedAt") VALUES ('a.myshopify.com', '2026-01-01')`));
    expect(String((constraint as { code?: string }).code)).toMatch(/^SQLITE_CONSTRAINT/);
    expect(isDatabaseUnavailable(constraint)).toBe(false);
    const typo = await thrownBy(() => holder.exec("SELEC 1"));
    expect(isDatabaseUnavailable(typo)).toBe(false);
    holder.close();
    other.close();
  });

  it("neither a defect of the code nor a refusal the route threw", async () => {
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseUnavailable(new Response(null, { status: 401 }))).toBe(false);
    expect(isDatabaseUnavailable("ECONNREFUSED")).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    // Wrapped, the way Prisma and Node wrap what the drivers raise.
    expect(isDatabaseUnavailable(new Error("query failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }) }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]))).toBe(true);
    expect(isDatabaseUnavailable(new Error("query failed", { cause: Object.assign(new Error("duplicate key"), { code: "23505" }) }))).toBe(false);
  });
});

describe("webhooks while PostgreSQL is stopped", () => {
  let cluster: PostgresCluster;
  let db: Db;
  const clients: Db[] = [];
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    db = createDb(await createPostgresDatabaseOn(cluster.adminUrl));
    clients.push(db);
    setDb(db);
    await saveSettingsFile(db, SHOP, DEMO_SETTINGS);
  }, 60_000);
  afterAll(async () => {
    setDb(undefined);
    for (const client of clients) {
      await closeDriver(client).catch(() => {});
      await client.$disconnect().catch(() => {});
    }
    cluster?.stop();
  });

  const paidRequest = () => signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body: attributedOrder(1), eventId: "outage-evt-1" });
  const written = async () => ({
    orders: await db.order.count(),
    deliveries: await db.delivery.count(),
    receipts: await db.webhookReceipt.count(),
  });

  it("answers 503 with Retry-After and writes nothing; Shopify's retry after the restart records the order once", { timeout: 120_000 }, async () => {
    // A running server's state: connections in the pool, and Shopify's library past its start-up check of the
    // session table (a first request during an outage fails that check, which then says the table is missing).
    expect(await written()).toEqual({ orders: 0, deliveries: 0, receipts: 0 });
    const redactBody = { shop_domain: SHOP, customer: { id: 1 }, orders_to_redact: [] };
    expect((await call(customersRedact, signedWebhookRequest({ topic: "customers/redact", shop: SHOP, body: redactBody }))).status).toBe(200);
    await cluster.pause();
    try {
      for (const attempt of [1, 2]) {
        const answer = await call(paid, paidRequest());
        expect(answer.status, `orders/paid, try ${attempt}`).toBe(503);
        expect(answer.headers.get("retry-after")).toBe(String(OUTAGE_RETRY_AFTER_SECONDS));
        expect(await answer.text()).toMatch(/database is unavailable/);
      }
      const refunded = await call(refund, signedWebhookRequest({ topic: "refunds/create", shop: SHOP, body: { id: 1, order_id: attributedOrder(1).id, refund_line_items: [] } }));
      expect(refunded.status).toBe(503);
      // The compliance routes, verified through Shopify's library, the same.
      const redact = await call(customersRedact, signedWebhookRequest({ topic: "customers/redact", shop: SHOP, body: redactBody }));
      expect(redact.status).toBe(503);
      expect(redact.headers.get("retry-after")).toBe(String(OUTAGE_RETRY_AFTER_SECONDS));
    } finally {
      await cluster.resume();
    }

    expect(await written()).toEqual({ orders: 0, deliveries: 0, receipts: 0 });
    expect((await call(paid, paidRequest())).status).toBe(200);
    expect((await call(paid, paidRequest())).status).toBe(200);
    expect(await written()).toEqual({ orders: 1, deliveries: networks.length, receipts: 1 });
    expect(await db.order.count({ where: { shopifyOrderId: String(attributedOrder(1).id) } })).toBe(1);
  });

  it("keeps 500 for a defect: a database without the app's tables is reachable, and the error goes on", async () => {
    const bare = createDb(cluster.adminUrl);
    clients.push(bare);
    setDb(bare);
    try {
      const error = await thrownBy(() => call(paid, signedWebhookRequest({ topic: "orders/paid", shop: SHOP, body: attributedOrder(2) })));
      expect(error).not.toBeInstanceOf(Response);
      expect(String(error)).toMatch(/does not exist/);
      expect(isDatabaseUnavailable(error)).toBe(false);
    } finally {
      setDb(db);
    }
  });
});

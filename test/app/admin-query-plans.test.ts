// Every query the admin's pages send, as Prisma sends it (captured from its query log while the real loaders run),
// explained by the database itself: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL. None may read Delivery,
// DeliveryAttempt or Order in full, and the deliveries index, accuracy and the detail page must use the indexes
// prisma/migrations/20261204090000_admin_scale_indexes (and 20261203200000_admin_indexes) made for them, so a
// dropped or renamed index fails here long before a shop with a million deliveries notices
// (bench/admin-scale.bench.ts times them at that size).
import { createClient } from "@libsql/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markDaysStatement } from "../../app/admin/accuracy-days.server.ts";
import { loadAccuracy } from "../../app/admin/accuracy.server.ts";
import { loadAttention } from "../../app/admin/attention.server.ts";
import { encodeCursor, listDeliveries, loadDeliveryDetail, queueCounts } from "../../app/admin/deliveries.server.ts";
import type { DeliveryFilters } from "../../app/admin/delivery-filters.ts";
import { loadHome } from "../../app/admin/home.server.ts";
import type { Db, DbKind } from "../../app/db/client.server.ts";
import { PrismaClient as SqliteClient } from "../../app/db/generated/sqlite/client.ts";
import { PrismaClient as PostgresClient } from "../../app/db/generated/postgresql/client.ts";
import { PrismaPgSurvivingLostConnections } from "../../app/db/pg-pool.server.ts";
import { PrismaLibSQLWaitingForLocks } from "../../app/db/prisma-libsql.server.ts";
import { networks } from "../../app/networks/registry.ts";
import { createDatabaseUrl, databaseKinds } from "../support/databases.ts";
import { seedAdminShop, type SeededAdminShop } from "./support/seed-admin.ts";

const SHOP = "plans-shop.myshopify.com";
const OTHER = "plans-other.myshopify.com";
const BIG_TABLES = ["Delivery", "DeliveryAttempt", "Order"];

interface Statement {
  sql: string;
  params: unknown[];
}

/** A client like createDb()'s whose every statement is kept. */
function loggingClient(kind: DbKind, url: string): { db: Db; statements: Statement[] } {
  const statements: Statement[] = [];
  const log = [{ emit: "event" as const, level: "query" as const }];
  const db =
    kind === "sqlite"
      ? new SqliteClient({ adapter: new PrismaLibSQLWaitingForLocks({ url }), log })
      : (new PostgresClient({ adapter: new PrismaPgSurvivingLostConnections({ connectionString: url, max: 2 }), log }) as unknown as Db);
  (db as unknown as { $on(event: "query", fn: (e: { query: string; params: string }) => void): void }).$on("query", (event) => {
    statements.push({ sql: event.query, params: JSON.parse(event.params) as unknown[] });
  });
  return { db, statements };
}

/** The statements `run` sent that touch one of the big tables. */
async function capture(statements: Statement[], run: () => Promise<unknown>): Promise<Statement[]> {
  statements.length = 0;
  await run();
  // Prisma quotes names with backticks on SQLite, double quotes on PostgreSQL.
  return statements.filter((s) => BIG_TABLES.some((table) => new RegExp(`[\`"]${table}[\`"]`).test(s.sql)));
}

describe.each(databaseKinds)("the admin's queries on %s", (kind) => {
  let url: string;
  let db: Db;
  let statements: Statement[];
  let mine: SeededAdminShop;
  let explain: (statement: Statement) => Promise<string>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    url = await createDatabaseUrl(kind);
    ({ db, statements } = loggingClient(kind, url));
    mine = await seedAdminShop(db, SHOP, 5);
    await seedAdminShop(db, OTHER, 6);
    if (kind === "sqlite") {
      const client = createClient({ url });
      explain = async ({ sql, params }) => {
        const result = await client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: params as never[] });
        return result.rows.map((row) => String(row.detail)).join("\n");
      };
      close = async () => client.close();
    } else {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      // A few rows make any plan cheap; with sequential scans priced out, one shows only where no index serves.
      await client.query("SET enable_seqscan = off");
      explain = async ({ sql, params }) => {
        const result = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params);
        return result.rows.map((row) => row["QUERY PLAN"]).join("\n");
      };
      close = () => client.end();
    }
  });
  afterAll(async () => {
    await close?.();
    await db?.$disconnect();
  });

  /** Every plan of `run`'s statements, checked for full reads; returns them joined, for the index checks. */
  async function plansOf(run: () => Promise<unknown>): Promise<string> {
    const sent = await capture(statements, run);
    expect(sent.length, "statements captured").toBeGreaterThan(0);
    const plans: string[] = [];
    for (const statement of sent) {
      const plan = await explain(statement);
      plans.push(plan);
      const full =
        kind === "sqlite"
          ? plan.split("\n").filter((line) => /^SCAN (Delivery|DeliveryAttempt|Order|d|o|a)\b/.test(line.trim()))
          : plan.split("\n").filter((line) => /Seq Scan on "?(Delivery|DeliveryAttempt|Order)"?/.test(line));
      expect(full, `full read in\n${statement.sql}\n${plan}`).toEqual([]);
      // An index read from end to end is a full read too: every index scan of a big table has a condition.
      if (kind === "postgresql") {
        const lines = plan.split("\n");
        lines.forEach((line, i) => {
          if (!/Index (Only )?Scan.* on "?(Delivery|DeliveryAttempt|Order)"?/.test(line)) return;
          expect(lines[i + 1] ?? "", `index read without a condition in\n${plan}`).toMatch(/Index Cond:/);
        });
      }
    }
    return plans.join("\n");
  }

  // The index each filter of the deliveries index reads in order, newest first, without sorting.
  const listings: Array<[string, DeliveryFilters, string]> = [
    ["no filter", {}, "Delivery_shop_createdAt_id_idx"],
    ["a network", { network: "refersion" }, "Delivery_shop_network_createdAt_id_idx"],
    ["a status", { status: "failed" }, "Delivery_shop_status_createdAt_id_idx"],
    ["a kind", { kind: "cancellation" }, "Delivery_shop_kind_createdAt_id_idx"],
    ["refunds", { kind: "refund" }, "Delivery_shop_kind_createdAt_id_idx"],
    ["a date range", { from: "2026-01-01", to: "2026-01-31" }, "Delivery_shop_createdAt_id_idx"],
  ];

  // Which index PostgreSQL picks depends on its statistics, which a test's few rows do not give (the bench's
  // million does): there, no full read is asserted; on SQLite, which keeps no statistics, the index too.
  const named = (plan: string, index: string) => {
    if (kind === "sqlite") expect(plan).toContain(index);
  };

  it.each(listings)("the deliveries index by %s reads %s, also from a cursor", async (_name, filters, index) => {
    const cursor = encodeCursor({ createdAt: new Date(), id: "~" });
    for (const page of [filters, { ...filters, after: cursor }, { ...filters, before: cursor }]) {
      const plan = await plansOf(() => listDeliveries(db, SHOP, page));
      named(plan, index);
      // Read in the index's order: no sort of the shop's deliveries (refunds are a range of kinds: sorted, but only those).
      if (kind === "sqlite" && filters.kind !== "refund") expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });

  it("the deliveries index by order name finds the order by its name, then its deliveries by their key", async () => {
    const plan = await plansOf(() => listDeliveries(db, SHOP, { order: mine.orderNames[0] }));
    named(plan, "Order_shop_name_idx");
    // Its deliveries by orderId, never a walk of the shop's deliveries newest first.
    if (kind === "sqlite") expect(plan).not.toContain("Delivery_shop_createdAt_id_idx");
  });

  it("the deliveries index's counts and the banners read indexes", async () => {
    await plansOf(() => queueCounts(db, SHOP));
    await plansOf(() => loadAttention(db, SHOP, async () => ({ state: "on", themeName: "Dawn" })));
    await plansOf(() => loadHome(db, SHOP, async () => ({ state: "on", themeName: "Dawn" })));
  });

  it("a delivery's page reads the delivery by its key and its attempts by deliveryId", async () => {
    const plan = await plansOf(() => loadDeliveryDetail(db, SHOP, mine.deliveryIds.refersionFailed!));
    named(plan, "DeliveryAttempt_deliveryId_idx");
  });

  it.each([30, 90] as const)("accuracy over %i days reads the window's orders and their conversions from indexes alone", async (days) => {
    // The first read counts every day of the window and stores the settled ones (app/admin/accuracy-days.server.ts);
    // the next reads those back and counts only the rest: the same statements over fewer days.
    const now = new Date();
    for (const plan of [await plansOf(() => loadAccuracy(db, SHOP, networks, days, now)), await plansOf(() => loadAccuracy(db, SHOP, networks, days, now))]) {
      named(plan, "Order_shop_paidAt_test_id_idx");
      named(plan, "Delivery_orderId_kind_network_status_reason_idx");
      if (kind === "sqlite") {
        // Covering: no row of Order or Delivery is read for these aggregates.
        for (const line of plan.split("\n").filter((l) => /Order_shop_paidAt_test_id_idx|Delivery_orderId_kind_network_status_reason_idx/.test(l))) {
          expect(line).toContain("COVERING INDEX");
        }
      }
    }
    expect(await db.accuracyDay.count({ where: { shop: SHOP, figures: { not: null } } })).toBeGreaterThan(0);
  });

  // What reopens settled days: sent through the SQL driver, not Prisma, so explained here as the driver sends them.
  it("reopening accuracy days finds the orders' days by indexes", async () => {
    const order = await db.order.findFirstOrThrow({ where: { shop: SHOP }, select: { id: true, shopifyOrderId: true } });
    const now = new Date();
    const marks: Array<[string, Statement, string]> = [
      ["a replayed delivery", markDaysStatement(kind, `"Delivery" d JOIN "Order" o ON o."id" = d."orderId" WHERE d."shop" = ? AND d."id" = ? AND d."status" IN ('failed', 'stopped')`, [SHOP, mine.deliveryIds.refersionFailed!], now), "Delivery_pkey"],
      ["a network's failed deliveries", markDaysStatement(kind, `"Delivery" d JOIN "Order" o ON o."id" = d."orderId" WHERE d."shop" = ? AND d."network" = ? AND d."status" = 'failed'`, [SHOP, "refersion"], now), "Delivery_shop_network_status_idx"],
      ["a backfill", markDaysStatement(kind, `"Order" o WHERE o."shop" = ? AND o."paidAt" >= ?`, [SHOP, new Date(now.getTime() - 30 * 86_400_000)], now), "Order_shop_paidAt_test_id_idx"],
      ["an order recorded again", markDaysStatement(kind, `"Order" o WHERE o."shop" = ? AND o."shopifyOrderId" = ?`, [SHOP, order.shopifyOrderId], now), "Order_shop_shopifyOrderId_key"],
      ["a redacted customer's orders", markDaysStatement(kind, `"Order" o WHERE o."id" IN (?)`, [order.id], now), "Order_pkey"],
    ];
    for (const [name, stmt, index] of marks) {
      let n = 0;
      const statement = {
        sql: kind === "postgresql" ? stmt.sql.replace(/\?/g, () => `$${++n}`) : stmt.sql,
        params: stmt.params.map((value) => (value instanceof Date ? (kind === "postgresql" ? value.toISOString().slice(0, -1) : value.toISOString().replace("Z", "+00:00")) : value)),
      };
      const plan = await explain(statement);
      const full = kind === "sqlite" ? plan.split("\n").filter((line) => /^SCAN (Delivery|Order|d|o)\b/.test(line.trim())) : plan.split("\n").filter((line) => /Seq Scan on "?(Delivery|Order)"?/.test(line));
      expect(full, `full read for ${name}:\n${plan}`).toEqual([]);
      // SQLite names its own primary key index differently.
      if (kind === "sqlite" && !index.endsWith("_pkey")) expect(plan, name).toContain(index);
    }
  });
});

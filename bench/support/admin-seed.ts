// A shop at the admin's scale (bench/admin-scale.bench.ts), written by the database itself: INSERT … SELECT over a
// number series (generate_series on PostgreSQL, a recursive CTE in one transaction on SQLite), never row by row
// from Node. Order n of a shop is paid at an even pace over the last year; each order has a conversion per
// network; every 12th order also a cancellation, every 12th (offset by 6) a refund, both to Refersion. Statuses and
// reasons follow what the networks do: Refersion reports every order, the other networks only orders carrying
// their click (one in five), skipping the rest with their own "no <network> click" reason; about 2% fail (n mod 47, apart from the click's n mod 5); the
// newest few are still queued. Every delivery has `attemptsPerDelivery` attempts.
import { createClient } from "@libsql/client";
import pg from "pg";
import type { Db, DbKind } from "../../app/db/client.server.ts";
import { databaseKind } from "../../app/db/client.server.ts";
import { networks } from "../../app/networks/registry.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { simulatedSettingsFile } from "../../devkit/simulators/settings.ts";
import { seedOfflineSession } from "../../devkit/admin/session-token.ts";

/**
 * The registered networks, as the seed gives them orders: a network without a storefront capture reports every
 * order (app/networks/refersion/index.ts); the others only those that carried their click.
 */
export const SEED_NETWORKS = networks.map((network) => ({ id: network.id, label: network.label, everyOrder: !network.storefront }));
/** The network reversals (cancellations, refunds) are seeded for: the first that reports every order. */
const REVERSED = SEED_NETWORKS.find((network) => network.everyOrder) ?? SEED_NETWORKS[0]!;

export interface ScaleShop {
  shop: string;
  /** Distinguishes the shop's ids, order numbers and names. */
  prefix: string;
  orders: number;
  /** Of orders ≡ 6 (mod 12): refunds on; false gives a shop with none (the filter must still answer at once). */
  refunds: boolean;
  attemptsPerDelivery: number;
  /** Share of the newest orders still queued (pending deliveries); 0.0005 unless set (0: nothing left to send). */
  queuedShare?: number;
  /** An orders/paid webhook receipt per order, received when it was paid (as if receipts were never pruned). */
  receipts?: boolean;
  /** Skipped deliveries with no attempts (nothing was sent for them), as the worker leaves them. */
  skippedWithoutAttempts?: boolean;
}

/** Deliveries a shop gets: a conversion per network and order, a cancellation and a refund each 12th order. */
export function deliveriesOf(shop: Pick<ScaleShop, "orders" | "refunds">): number {
  const twelfths = (offset: number) => Math.floor((shop.orders - offset) / 12) + (offset === 0 ? 0 : 1);
  return shop.orders * SEED_NETWORKS.length + twelfths(0) + (shop.refunds ? twelfths(6) : 0);
}

const DAY_S = 86_400;
const YEAR_S = 365 * DAY_S;

interface Dialect {
  /** A row source `s(n)` for n = 1..count. */
  series(count: number): { with: string; from: string };
  pad(expr: string, width: number): string;
  /** The DateTime column value for a unix time in seconds (an SQL expression), as Prisma writes it. */
  time(secondsExpr: string): string;
  bool(expr: string): string;
}

const sqlite: Dialect = {
  series: (count) => ({ with: `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${count})`, from: "s" }),
  pad: (expr, width) => `printf('%0${width}d', ${expr})`,
  time: (seconds) => `strftime('%Y-%m-%dT%H:%M:%f+00:00', ${seconds}, 'unixepoch')`,
  bool: (expr) => `(CASE WHEN ${expr} THEN 1 ELSE 0 END)`,
};

const postgres: Dialect = {
  series: (count) => ({ with: "", from: `generate_series(1, ${count}) AS s(n)` }),
  pad: (expr, width) => `lpad((${expr})::text, ${width}, '0')`,
  time: (seconds) => `(to_timestamp(${seconds}) AT TIME ZONE 'UTC')::timestamp(3)`,
  bool: (expr) => `(${expr})`,
};

/** The statements that write one shop's orders, deliveries and attempts; `nowS` is the newest order's time. */
export function scaleShopSql(kind: DbKind, shop: ScaleShop, nowS: number): string[] {
  const d = kind === "sqlite" ? sqlite : postgres;
  const q = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const step = YEAR_S / shop.orders;
  // Order n: paid `step` seconds after order n-1, the newest at nowS - 60.
  const paidS = (n: string) => `(${nowS - 60 - YEAR_S} + ${n} * ${step.toFixed(6)})`;
  const orderId = (n: string) => `${q(`o${shop.prefix}`)} || ${d.pad(n, 8)}`;
  const orders = d.series(shop.orders);
  const statements: string[] = [
    `${orders.with} INSERT INTO "Order" ("id", "shop", "shopifyOrderId", "name", "test", "payload", "paidAt", "createdAt", "updatedAt")
     SELECT ${orderId("n")}, ${q(shop.shop)}, ${q(shop.prefix)} || n, '#' || ${q(shop.prefix)} || (1000 + n), ${d.bool("n % 100 = 0")}, '{}',
       ${d.time(paidS("n"))}, ${d.time(paidS("n"))}, ${d.time(paidS("n"))}
     FROM ${orders.from}`,
  ];
  // Newest orders still queued: the last 0.05% (the worker has not got to them).
  const queued = (n: string) => `${n} > ${Math.floor(shop.orders * (1 - (shop.queuedShare ?? 0.0005)))}`;
  const delivery = (network: number, n: string) => `${q(`d${shop.prefix}`)} || ${d.pad(n, 8)} || '${network}'`;
  for (const [k, network] of SEED_NETWORKS.entries()) {
    const hasClick = network.everyOrder ? "1 = 1" : `(n * 7 + ${k}) % 5 = 0`;
    const status = `CASE WHEN ${queued("n")} THEN 'pending'
      WHEN n % 100 = 0 THEN 'skipped'
      WHEN NOT (${hasClick}) THEN 'skipped'
      WHEN n % 47 = ${k + 1} THEN 'failed'
      ELSE 'succeeded' END`;
    const reason = `CASE WHEN ${queued("n")} THEN NULL
      WHEN n % 100 = 0 THEN 'test order: sending test orders is switched off in the settings'
      WHEN NOT (${hasClick}) THEN ${q(`no ${network.label} click on this order`)}
      WHEN n % 47 = ${k + 1} THEN ${q(`${network.label} answered 400: the order was refused`)}
      ELSE NULL END`;
    statements.push(deliveriesSql(d, shop, {
      ids: delivery(k, "n"),
      network: network.id,
      kind: q("conversion"),
      status,
      reason,
      createdS: `${paidS("n")} + ${k + 1}`,
      orderId: orderId("n"),
      where: "1 = 1",
    }));
  }
  statements.push(deliveriesSql(d, shop, {
    ids: delivery(SEED_NETWORKS.length, "n"),
    network: REVERSED.id,
    kind: q("cancellation"),
    status: `CASE WHEN ${queued("n")} THEN 'pending' ELSE 'succeeded' END`,
    reason: "NULL",
    createdS: `${paidS("n")} + 3 * ${DAY_S}`,
    orderId: orderId("n"),
    where: "n % 12 = 0",
  }));
  if (shop.refunds) {
    statements.push(deliveriesSql(d, shop, {
      ids: delivery(SEED_NETWORKS.length + 1, "n"),
      network: REVERSED.id,
      kind: `'refund:' || ${q(shop.prefix)} || n`,
      status: `CASE WHEN ${queued("n")} THEN 'pending' ELSE 'succeeded' END`,
      reason: "NULL",
      createdS: `${paidS("n")} + 5 * ${DAY_S}`,
      orderId: orderId("n"),
      where: "n % 12 = 6",
    }));
  }
  if (shop.receipts) {
    statements.push(`${orders.with} INSERT INTO "WebhookReceipt" ("shop", "topic", "eventId", "receivedAt")
      SELECT ${q(shop.shop)}, 'orders/paid', ${q(`seed-${shop.prefix}-`)} || n, ${d.time(paidS("n"))} FROM ${orders.from}`);
  }
  // Attempts: a fixed number per delivery, read from the deliveries just written.
  const attempts = d.series(shop.attemptsPerDelivery);
  const request = q(JSON.stringify({ method: "POST", url: "https://network.example/orders", headers: { "Content-Type": "application/json", Authorization: "[redacted]" }, body: { order_id: "1001", amount: 2500 } }));
  statements.push(
    `${attempts.with} INSERT INTO "DeliveryAttempt" ("id", "deliveryId", "shop", "startedAt", "durationMs", "request", "httpStatus", "outcome", "responseExcerpt", "error")
     SELECT "Delivery"."id" || '-' || n, "Delivery"."id", "Delivery"."shop", "Delivery"."createdAt", 120 + n, ${request},
       CASE WHEN "status" = 'failed' THEN 400 ELSE 200 END, CASE WHEN "status" = 'failed' THEN 'permanent' ELSE 'success' END,
       '{"status":"ok"}', CASE WHEN "status" = 'failed' THEN "reason" ELSE NULL END
     FROM "Delivery" CROSS JOIN ${attempts.from} WHERE "Delivery"."shop" = ${q(shop.shop)}${shop.skippedWithoutAttempts ? ` AND "status" <> 'skipped'` : ""}`,
  );
  return statements;
}

function deliveriesSql(
  d: Dialect,
  shop: ScaleShop,
  rows: { ids: string; network: string; kind: string; status: string; reason: string; createdS: string; orderId: string; where: string },
): string {
  const series = d.series(shop.orders);
  const created = d.time(rows.createdS);
  const settled = `${rows.status} NOT IN ('pending')`;
  return `${series.with} INSERT INTO "Delivery" ("id", "shop", "orderId", "network", "kind", "status", "reason", "attempts", "nextAttemptAt", "lastStatus", "lastError", "completedAt", "createdAt", "updatedAt")
    SELECT ${rows.ids}, '${shop.shop}', ${rows.orderId}, '${rows.network}', ${rows.kind}, ${rows.status}, ${rows.reason}, ${shop.skippedWithoutAttempts ? `CASE WHEN ${rows.status} = 'skipped' THEN 0 ELSE ${shop.attemptsPerDelivery} END` : shop.attemptsPerDelivery},
      ${created}, CASE WHEN ${rows.status} = 'failed' THEN 400 ELSE NULL END, CASE WHEN ${rows.status} = 'failed' THEN ${rows.reason} ELSE NULL END,
      CASE WHEN ${settled} THEN ${d.time(`${rows.createdS} + 1`)} ELSE NULL END, ${created}, ${created}
    FROM ${series.from} WHERE ${rows.where}`;
}

/** The tables the seed writes: their secondary indexes are what `rebuildIndexes` drops and builds again. */
const SEEDED_TABLES = ["Order", "Delivery", "DeliveryAttempt", "WebhookReceipt"];

export interface SeedOptions {
  /**
   * Drops the seeded tables' secondary indexes (and, on PostgreSQL, skips foreign-key triggers) while the rows go
   * in, then builds the indexes again from sorted rows: several times faster for millions of rows, whose index
   * entries would otherwise land at random places. The rows are consistent by construction (scaleShopSql).
   */
  rebuildIndexes?: boolean;
}

/** Runs the statements on the database behind `url`: SQLite in one transaction, PostgreSQL then VACUUM ANALYZE. */
export async function runSeedSql(url: string, statements: string[], options: SeedOptions = {}): Promise<void> {
  const tables = SEEDED_TABLES.map((t) => `'${t}'`).join(", ");
  if (databaseKind(url) === "sqlite") {
    const client = createClient({ url });
    try {
      // A throwaway benchmark database: no journal to write twice.
      await client.execute("PRAGMA journal_mode = OFF");
      await client.execute("PRAGMA synchronous = OFF");
      await client.execute("PRAGMA cache_size = -262144");
      if (options.rebuildIndexes) {
        await client.execute("PRAGMA foreign_keys = OFF");
        const found = await client.execute(`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "sql" IS NOT NULL AND "tbl_name" IN (${tables})`);
        statements = [...found.rows.map((row) => `DROP INDEX "${String(row.name)}"`), ...statements, ...found.rows.map((row) => String(row.sql))];
      }
      // No ANALYZE: the app never runs it, so production SQLite files have no planner statistics either.
      await client.executeMultiple(["BEGIN", ...statements, "COMMIT"].join(";\n"));
    } finally {
      client.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET maintenance_work_mem = '256MB'");
    let indexes: string[] = [];
    if (options.rebuildIndexes) {
      // A throwaway cluster's superuser: replica mode skips the foreign keys' per-row triggers.
      await client.query("SET session_replication_role = replica");
      const found = await client.query(`SELECT "indexname", "indexdef" FROM pg_indexes WHERE "schemaname" = current_schema() AND "tablename" IN (${tables})
        AND "indexname" NOT IN (SELECT "conname" FROM pg_constraint WHERE "contype" = 'p')`);
      indexes = found.rows.map((row: { indexdef: string }) => row.indexdef);
      for (const row of found.rows as Array<{ indexname: string }>) await client.query(`DROP INDEX "${row.indexname}"`);
    }
    for (const statement of statements) await client.query(statement);
    for (const index of indexes) await client.query(index);
    if (options.rebuildIndexes) await client.query("SET session_replication_role = origin");
    // What autovacuum does to a table this size within minutes: the planner's statistics and the visibility map.
    await client.query("VACUUM ANALYZE");
  } finally {
    await client.end();
  }
}

/** The shop's settings (networks on, keys set), its offline session, then its bulk rows. */
export async function seedScaleShop(db: Db, url: string, shop: ScaleShop, now = new Date()): Promise<void> {
  await saveSettingsFile(db, shop.shop, simulatedSettingsFile());
  await seedOfflineSession(db, shop.shop, `shpat_${shop.prefix}_offline`);
  await runSeedSql(url, scaleShopSql(databaseKind(url), shop, Math.floor(now.getTime() / 1000)));
}

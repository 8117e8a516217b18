// Cost does not grow with history (issue 12): ingestion and drain on an empty migrated database and on one already
// holding 1,000,000 orders of the same shop (their deliveries and attempts over a year, four networks, mixed
// statuses, a webhook receipt each, and two smaller shops beside it), on SQLite and on PostgreSQL, in one run.
//   ingestion  closed-loop orders/paid webhooks/s through the production server (express + the Remix build,
//              bench/support/ingest-server.ts "remix"), load from its own process
//   drain      a backlog of about 5,000 deliveries worked off by one worker to loopback simulators (50 ms)
// Each figure is measured twice, alternating empty and seeded, and the better of the two kept (the machine is
// shared). Target: seeded ≥ 0.9 × empty. Run: npm run bench history   (HISTORY_ORDERS to seed another size)
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { setBenchEnv, postgresDatabase, sqliteDatabase, startPostgresCluster, table } from "./support/pipeline-env.ts";

setBenchEnv();
const root = path.resolve(import.meta.dirname, "..");
const { runSeedSql, scaleShopSql, deliveriesOf } = await import("./support/admin-seed.ts");
const { startIngestServer, loadWebhooks } = await import("./support/ingest-run.ts");
const { startSimulatorsProcess, drainBacklog } = await import("./support/drain-run.ts");
const { ensureAppBuild } = await import("../devkit/admin/app-build.ts");
const { databaseKind } = await import("../app/db/client.server.ts");

const SHOP = "history-bench.myshopify.com";
const ORDERS = Number(process.env.HISTORY_ORDERS ?? 1_000_000);
const BACKLOG = 5_000;
const TARGET = 0.9;
const ROUNDS = 2;
/** HISTORY_DATABASES=sqlite (or postgresql) measures one database. */
const databases = (process.env.HISTORY_DATABASES ?? "sqlite,postgresql").split(",");

const stored = [
  { shop: SHOP, prefix: "H", orders: ORDERS, refunds: true, attemptsPerDelivery: 1, queuedShare: 0, receipts: true, skippedWithoutAttempts: true },
  { shop: "history-other-1.myshopify.com", prefix: "P", orders: Math.ceil(ORDERS / 20), refunds: true, attemptsPerDelivery: 1, queuedShare: 0, receipts: true, skippedWithoutAttempts: true },
  { shop: "history-other-2.myshopify.com", prefix: "Q", orders: Math.ceil(ORDERS / 20), refunds: false, attemptsPerDelivery: 2, queuedShare: 0, receipts: true, skippedWithoutAttempts: true },
];

console.error(await ensureAppBuild());
if (!existsSync(path.join(root, "build", "server", "index.js"))) throw new Error("no production build");

async function seed(url: string): Promise<number> {
  const started = performance.now();
  const nowS = Math.floor(Date.now() / 1000);
  const statements = stored.flatMap((shop) => scaleShopSql(databaseKind(url), shop, nowS));
  await runSeedSql(url, statements, { rebuildIndexes: true });
  return (performance.now() - started) / 1000;
}

const sims = await startSimulatorsProcess(50);
const drainOrders = Math.ceil(BACKLOG / sims.networks.length);
const rows: Array<Array<string | number>> = [];
const notes: string[] = [];
const best = (values: number[]) => Math.max(...values);

async function measure(label: string, empty: string, seeded: string) {
  const urls = { empty, seeded };
  const drains: Record<"empty" | "seeded", number[]> = { empty: [], seeded: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of ["empty", "seeded"] as const) {
      const result = await drainBacklog(urls[which], { shop: SHOP, settings: sims.settings, sims, orders: drainOrders, concurrency: 96, perTarget: 48 });
      console.error(`${label} drain ${which}: ${Math.round(result.rate)}/s (${result.succeeded} of ${result.backlog} succeeded in ${result.seconds.toFixed(1)} s)`);
      if (result.succeeded !== result.backlog) notes.push(`${label} drain ${which}: only ${result.succeeded} of ${result.backlog} succeeded`);
      drains[which].push(result.rate);
    }
  }
  // Ingestion last: its deliveries stay pending (the server's worker is off) and would swell a later backlog.
  const servers = { empty: await startIngestServer("remix", empty, SHOP, sims.settings), seeded: await startIngestServer("remix", seeded, SHOP, sims.settings) };
  const ingests: Record<"empty" | "seeded", number[]> = { empty: [], seeded: [] };
  try {
    for (const which of ["empty", "seeded"] as const) await loadWebhooks(servers[which].url, SHOP, "closed", 2_000, { connections: 16 }); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const which of ["empty", "seeded"] as const) {
        const result = await loadWebhooks(servers[which].url, SHOP, "closed", 5_000, { connections: 32 });
        console.error(`${label} ingestion ${which}: ${Math.round(result.throughput)}/s, p99 ${result.p99.toFixed(1)} ms`);
        if ((result.statuses["200"] ?? 0) !== result.requests) notes.push(`${label} ingestion ${which}: answers ${JSON.stringify(result.statuses)}`);
        ingests[which].push(result.throughput);
      }
    }
  } finally {
    servers.empty.stop();
    servers.seeded.stop();
  }
  for (const [figure, values, unit] of [["ingestion", ingests, "webhooks/s"], ["drain", drains, "deliveries/s"]] as const) {
    const ratio = best(values.seeded) / best(values.empty);
    rows.push([`${figure}, ${label} (${unit})`, Math.round(best(values.empty)), Math.round(best(values.seeded)), ratio.toFixed(2), `≥ ${TARGET}`, ratio >= TARGET ? "met" : "MISSED"]);
  }
}

const seededSizes: string[] = [];
const cluster = await startPostgresCluster();
try {
  if (databases.includes("sqlite")) {
    const empty = await sqliteDatabase();
    const seeded = await sqliteDatabase();
    const seconds = await seed(seeded);
    seededSizes.push(`SQLite seeded in ${seconds.toFixed(0)} s`);
    console.error(seededSizes.at(-1));
    try {
      await measure("SQLite", empty, seeded);
    } finally {
      // Gigabytes: not left behind in the temporary directory.
      for (const url of [empty, seeded]) rmSync(path.dirname(url.slice("file:".length)), { recursive: true, force: true });
    }
  }
  if (databases.includes("postgresql")) {
    const empty = await postgresDatabase(cluster, `history_empty_${Date.now()}`);
    const seeded = await postgresDatabase(cluster, `history_seeded_${Date.now()}`);
    const seconds = await seed(seeded);
    seededSizes.push(`PostgreSQL seeded in ${seconds.toFixed(0)} s`);
    console.error(seededSizes.at(-1));
    await measure("PostgreSQL", empty, seeded);
    const client = new pg.Client({ connectionString: seeded });
    await client.connect();
    const { rows: counts } = await client.query(`SELECT (SELECT count(*) FROM "Order") AS orders, (SELECT count(*) FROM "Delivery") AS deliveries,
      (SELECT count(*) FROM "DeliveryAttempt") AS attempts, (SELECT count(*) FROM "WebhookReceipt") AS receipts`);
    await client.end();
    seededSizes.push(`after the run, the PostgreSQL 1M database held ${counts[0].orders} orders, ${counts[0].deliveries} deliveries, ${counts[0].attempts} attempts, ${counts[0].receipts} receipts`);
  }
} finally {
  cluster.stop();
  sims.stop();
}

const seededDeliveries = stored.reduce((sum, shop) => sum + deliveriesOf(shop), 0);
console.log(`\nCost with history: the same shop on an empty database and on one holding ${ORDERS.toLocaleString("en")} of its orders`);
console.log(`(${stored.length - 1} other shops beside it; ${seededDeliveries.toLocaleString("en")} deliveries seeded in all, a year of them, ${sims.networks.length} networks, mixed statuses; a receipt per order)`);
console.log(`ingestion: closed loop, 32 connections for 5 s, through the production server; drain: ${drainOrders * sims.networks.length} deliveries, one worker (96, 48 per shop and network), simulators answer after 50 ms`);
console.log(`best of ${ROUNDS} alternating runs each\n`);
console.log(table(["figure", "empty db", `${ORDERS / 1_000_000}M stored`, "ratio", "target", "met"], rows));
console.log("");
for (const line of [...seededSizes, ...notes]) console.log(`- ${line}`);

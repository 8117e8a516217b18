// Draining the outbox: a backlog of about 20,000 deliveries (an order for every registered network each) worked off
// by one worker against loopback network simulators that answer every request after 50 ms, on SQLite and on PostgreSQL,
// beside a baseline in the same run: the same number of requests sent straight to the simulators at the same
// concurrency, with no database (what the network's latency alone allows).
// Target on the 2-core machine: 500 deliveries/s.
// Run: npx tsx bench/drain.bench.ts
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { postgresDatabase, setBenchEnv, sqliteDatabase, startPostgresCluster, table } from "./support/pipeline-env.ts";

setBenchEnv();
const root = path.resolve(import.meta.dirname, "..");
const { networks } = await import("../app/networks/registry.ts");
const ORDERS = Number(process.env.DRAIN_ORDERS ?? Math.ceil(20_000 / networks.length));
const LATENCY_MS = 50;
const CONCURRENCY = 96;
const PER_TARGET = 48;
const TARGET = 500;
const SHOP = "drain-bench.myshopify.com";

const { createDb } = await import("../app/db/client.server.ts");
const { saveSettingsFile } = await import("../app/settings/store.server.ts");
const { orderFromShopify } = await import("../app/orders/from-shopify.ts");
const { recordOrder } = await import("../app/pipeline/outbox.server.ts");
const { planConversions } = await import("../app/pipeline/plan.ts");
const { cachedShopConfig } = await import("../app/pipeline/settings-cache.server.ts");
const { closeDriver } = await import("../app/pipeline/sql/driver.server.ts");
const { startWorker } = await import("../app/pipeline/worker.server.ts");
const { attributedOrder } = await import("../devkit/orders/attributed-order.ts");

// The simulators, in their own process. Rate limits off: the drain measures the worker's throughput, and a network
// that limits calls (DeliveryPacing) would only answer 429 until the worker paces and batches per network.
const simProcess = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/support/simulators-process.ts"), JSON.stringify({ latencyMs: LATENCY_MS, rateLimits: false })], {
  cwd: root,
  stdio: ["pipe", "pipe", "inherit"],
});
const simLines = createInterface({ input: simProcess.stdout! });
const nextLine = () => new Promise<string>((resolve) => simLines.once("line", resolve));
const sims = JSON.parse(await nextLine()) as { env: Record<string, string>; settings: Record<string, unknown>; networks: string[] };
Object.assign(process.env, sims.env);
const stats = async () => {
  simProcess.stdin!.write("stats\n");
  return JSON.parse(await nextLine()) as Record<string, { accepted: number; received: number }>;
};
const settings = sims.settings;

const quiet = { info() {}, warn() {}, error: (m: string, f?: object) => console.error(m, f) };
const rows: Array<Array<string | number>> = [];
const verdicts: string[] = [];

async function baseline(): Promise<number> {
  // As many requests as the worker sends, straight to the simulators (their endpoints in turn), at the
  // worker's concurrency: the simulators answer whatever they are asked after the same latency.
  const urls = Object.values(sims.env);
  const total = ORDERS * sims.networks.length;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const n = next++;
        await (await fetch(`${urls[n % urls.length]}?n=${n}`)).text();
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

let run = 0;
async function drain(label: string, url: string) {
  // Each run its own order numbers: the simulators remember orders (a network may refuse an order number twice).
  const offset = ++run * 1_000_000;
  const db = createDb(url);
  await saveSettingsFile(db, SHOP, settings);
  const config = await cachedShopConfig(db, SHOP);
  const fillStarted = performance.now();
  const template = attributedOrder(1);
  for (let n = 1; n <= ORDERS; n++) {
    const order = orderFromShopify({ ...template, id: 7_000_000_000 + offset + n, name: `#${offset + n}` });
    const plan = planConversions(order, config);
    await recordOrder(db, { shop: SHOP, order, receipt: { eventId: `drain-${label}-${n}`, topic: "orders/paid" }, paidAt: new Date(), plan: () => plan, staticPlan: true });
  }
  const backlog = await db.delivery.count({ where: { status: "pending" } });
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const before = await stats();
  const started = performance.now();
  const worker = startWorker({ db, concurrency: CONCURRENCY, perTargetConcurrency: PER_TARGET, pollIntervalMs: 20, reconcile: false, logger: quiet });
  await worker.idle();
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  const after = await stats();
  const accepted = Object.keys(after).reduce((sum, n) => sum + after[n]!.accepted - before[n]!.accepted, 0);
  const succeeded = await db.delivery.count({ where: { status: "succeeded" } });
  const rate = backlog / seconds;
  rows.push([label, backlog, seconds.toFixed(1), Math.round(rate), succeeded, accepted, fillSeconds.toFixed(1)]);
  verdicts.push(`${label}: ${rate >= TARGET ? "MEETS" : "MISSES"} the target (${Math.round(rate)} deliveries/s); ${succeeded} of ${backlog} succeeded, ${accepted} accepted by the simulators`);
  await closeDriver(db);
  await db.$disconnect();
}

const cluster = await startPostgresCluster();
try {
  const base = await baseline();
  rows.push(["baseline (requests only, no database)", ORDERS * sims.networks.length, "", Math.round(base), "", "", ""]);
  if (process.env.DRAIN_ONLY !== "postgresql") await drain("worker, SQLite", await sqliteDatabase());
  if (process.env.DRAIN_ONLY !== "sqlite") await drain("worker, PostgreSQL", await postgresDatabase(cluster, `drain_${Date.now()}`));
} finally {
  cluster.stop();
  simProcess.kill("SIGTERM");
}

console.log(`\nDraining a backlog of ${ORDERS * sims.networks.length} deliveries (${sims.networks.join(", ")}); simulators answer after ${LATENCY_MS} ms; worker concurrency ${CONCURRENCY} (${PER_TARGET} per shop and network)\n`);
console.log(table(["run", "backlog", "seconds", "deliveries/s", "succeeded", "accepted", "backlog filled in s"], rows));
console.log(`\nTarget: ${TARGET} deliveries/s.`);
for (const verdict of verdicts) console.log(`- ${verdict}`);

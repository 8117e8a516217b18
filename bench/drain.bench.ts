// Draining the outbox: a backlog of about 20,000 deliveries (an order for every registered network each) worked off
// by 3 worker processes (`affiliate-relay worker`, what an operator scales out with) sharing one database, against
// loopback network simulators that answer every request after 50 ms and keep their connections open, on SQLite
// and on PostgreSQL; beside a baseline in the same run: the same number of requests sent by the same sender
// (sendNetworkRequest, so the same connection reuse) to the same simulators at the workers' combined concurrency,
// with no database: what the networks' latency and this machine allow.
// Target (issue 12): each drain at least 0.8 of the baseline. After each drain every delivery must have succeeded
// with exactly one attempt, and every simulator must have received every order exactly once.
// Run: npx tsx bench/drain.bench.ts   (DRAIN_ONLY=sqlite|postgresql, DRAIN_ORDERS=N, DRAIN_LOG_LEVEL=info,
// DRAIN_CPU_PROF=<dir>: the first worker process writes a V8 CPU profile there)
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { postgresDatabase, setBenchEnv, sqliteDatabase, startPostgresCluster, table } from "./support/pipeline-env.ts";

setBenchEnv();
const root = path.resolve(import.meta.dirname, "..");
const { networks } = await import("../app/networks/registry.ts");
const ORDERS = Number(process.env.DRAIN_ORDERS ?? Math.ceil(20_000 / networks.length));
const LATENCY_MS = 50;
const WORKERS = 3;
/** Per worker process; the baseline sends at WORKERS times this. */
const CONCURRENCY = 32;
const PER_TARGET = 16;
const TARGET_RATIO = 0.8;
const SHOP = "drain-bench.myshopify.com";
const LOG_LEVEL = process.env.DRAIN_LOG_LEVEL ?? "warn";

const { createDb } = await import("../app/db/client.server.ts");
const { saveSettingsFile } = await import("../app/settings/store.server.ts");
const { orderFromShopify } = await import("../app/orders/from-shopify.ts");
const { recordOrder } = await import("../app/pipeline/outbox.server.ts");
const { planConversions } = await import("../app/pipeline/plan.ts");
const { cachedShopConfig } = await import("../app/pipeline/settings-cache.server.ts");
const { closeDriver } = await import("../app/pipeline/sql/driver.server.ts");
const { sendNetworkRequest } = await import("../app/networks/http.ts");
const { attributedOrder } = await import("../devkit/orders/attributed-order.ts");

// The simulators, in their own process. Rate limits off: the drain measures the workers' throughput, and a network
// that limits calls (DeliveryPacing) would only answer 429 until the worker paces and batches per network.
const simProcess = spawn(
  process.execPath,
  ["--import", "tsx", path.join(root, "bench/support/simulators-process.ts"), JSON.stringify({ latencyMs: LATENCY_MS, rateLimits: false, keepAlive: true })],
  { cwd: root, stdio: ["pipe", "pipe", "inherit"] },
);
const simLines = createInterface({ input: simProcess.stdout! });
const nextLine = () => new Promise<string>((resolve) => simLines.once("line", resolve));
const sims = JSON.parse(await nextLine()) as { env: Record<string, string>; settings: Record<string, unknown>; networks: string[] };
Object.assign(process.env, sims.env);
type SimStats = Record<string, { accepted: number; received: number; orders: number; doubles: number }>;
const stats = async () => {
  simProcess.stdin!.write("stats\n");
  return JSON.parse(await nextLine()) as SimStats;
};
const settings = sims.settings;

const rows: Array<Array<string | number>> = [];
const details: Array<Array<string | number>> = [];
const problems: string[] = [];

async function baseline(): Promise<number> {
  // As many requests as there are deliveries, straight to the simulators (their endpoints in turn), at the
  // workers' combined concurrency: the simulators answer whatever they are asked after the same latency.
  const urls = Object.values(sims.env);
  const total = ORDERS * sims.networks.length;
  let next = 0;
  const failures: string[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS * CONCURRENCY }, async () => {
      while (next < total && failures.length < 100) {
        const n = next++;
        const url = `${urls[n % urls.length]}?n=${n}`;
        const result = await sendNetworkRequest({ method: "POST", url, headers: { "content-type": "application/json" }, secretHeaders: [], body: { n } });
        if (result.ok) continue;
        // Sent again, as a delivery would be.
        failures.push(result.error);
        next--;
      }
    }),
  );
  if (failures.length) problems.push(`baseline: ${failures.length} requests failed (${[...new Set(failures)].join("; ")})`);
  return total / ((performance.now() - started) / 1000);
}

function startWorkerProcess(url: string, index: number): ChildProcess {
  const profile = process.env.DRAIN_CPU_PROF && index === 0 ? ["--cpu-prof", "--cpu-prof-dir", process.env.DRAIN_CPU_PROF] : [];
  return spawn(
    process.execPath,
    [...profile, path.join(root, "bin/affiliate-relay.mjs"), "worker", "--concurrency", String(CONCURRENCY), "--per-target", String(PER_TARGET), "--poll-ms", "20", "--reconcile-minutes", "0", "--id", `drain-${index}`],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DATABASE_URL: url, LOG_LEVEL, NODE_ENV: "production" } },
  );
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", resolve)));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const time = (value: unknown) => (value instanceof Date ? value.getTime() : Date.parse(String(value)));

let run = 0;
async function drain(label: string, url: string, base: number) {
  // Each run its own order numbers: the simulators remember orders (a network may refuse an order number twice).
  const offset = ++run * 1_000_000;
  const db = createDb(url);
  await saveSettingsFile(db, SHOP, settings);
  const config = await cachedShopConfig(db, SHOP);
  const template = attributedOrder(1);
  for (let n = 1; n <= ORDERS; n++) {
    const order = orderFromShopify({ ...template, id: 7_000_000_000 + offset + n, name: `#${offset + n}` });
    const plan = planConversions(order, config);
    await recordOrder(db, { shop: SHOP, order, receipt: { eventId: `drain-${label}-${n}`, topic: "orders/paid" }, paidAt: new Date(), plan: () => plan, staticPlan: true });
  }
  const backlog = await db.delivery.count({ where: { status: "pending" } });
  const before = await stats();
  const spawned = performance.now();
  const workers = Array.from({ length: WORKERS }, (_, i) => startWorkerProcess(url, i));
  try {
    for (;;) {
      await sleep(200);
      const open = await db.delivery.count({ where: { status: { in: ["pending", "in_flight"] } } });
      if (open === 0) break;
      const dead = workers.find((child) => child.exitCode !== null);
      if (dead) throw new Error(`${label}: a worker process exited with ${dead.exitCode} while ${open} deliveries were open`);
    }
  } finally {
    for (const child of workers) child.kill("SIGTERM");
    await Promise.all(workers.map(exited));
  }
  const wall = (performance.now() - spawned) / 1000;
  // The drain's own time, from the first request going out to the last delivery finished: the workers' start-up
  // (tsx compiling the app, about a second) is not delivery work.
  const span = (await db.$queryRawUnsafe<Array<{ first: unknown; last: unknown }>>(
    `SELECT (SELECT min("startedAt") FROM "DeliveryAttempt") AS "first", (SELECT max("completedAt") FROM "Delivery") AS "last"`,
  ))[0]!;
  const seconds = (time(span.last) - time(span.first)) / 1000;
  const after = await stats();
  const delta = (field: "accepted" | "orders" | "doubles") => Object.keys(after).reduce((sum, n) => sum + after[n]![field] - before[n]![field], 0);
  const succeeded = await db.delivery.count({ where: { status: "succeeded" } });
  const attempts = await db.deliveryAttempt.count();
  const orders = delta("orders");
  const doubles = delta("doubles");
  const rate = backlog / seconds;
  if (succeeded !== backlog) problems.push(`${label}: ${succeeded} of ${backlog} deliveries succeeded`);
  if (attempts !== backlog) problems.push(`${label}: ${attempts} attempts recorded for ${backlog} deliveries`);
  if (orders !== backlog) problems.push(`${label}: the simulators received ${orders} distinct orders for ${backlog} deliveries`);
  if (doubles) problems.push(`${label}: ${doubles} orders reached a simulator more than once`);
  rows.push([`drain, ${label}, ${WORKERS} worker processes (deliveries/s)`, Math.round(rate), Math.round(base), (rate / base).toFixed(2), TARGET_RATIO, rate / base >= TARGET_RATIO ? "met" : "MISSED"]);
  details.push([label, backlog, seconds.toFixed(1), wall.toFixed(1), succeeded, attempts, delta("accepted"), orders, doubles]);
  await closeDriver(db);
  await db.$disconnect();
}

const cluster = await startPostgresCluster();
try {
  // A baseline just before each drain: the machine is shared, and its load drifts within a run.
  if (process.env.DRAIN_ONLY !== "postgresql") await drain("SQLite", await sqliteDatabase(), await baseline());
  if (process.env.DRAIN_ONLY !== "sqlite") await drain("PostgreSQL", await postgresDatabase(cluster, `drain_${Date.now()}`), await baseline());
} finally {
  cluster.stop();
  simProcess.kill("SIGTERM");
}

console.log(
  `\nDraining a backlog of ${ORDERS * sims.networks.length} deliveries (${sims.networks.join(", ")}) with ${WORKERS} worker processes ` +
    `(concurrency ${CONCURRENCY} each, ${PER_TARGET} per shop and network, LOG_LEVEL=${LOG_LEVEL}); simulators answer after ${LATENCY_MS} ms with keep-alive; ` +
    `baseline: the same number of requests, no database, concurrency ${WORKERS * CONCURRENCY}\n`,
);
console.log(table(["figure", "this run", "baseline", "ratio", "target", "met"], rows));
console.log("");
console.log(table(["database", "backlog", "drain s", "wall s (with start-up)", "succeeded", "attempts", "requests accepted", "orders received", "orders received twice"], details));
if (problems.length) {
  console.log("\nExactly once: NOT VERIFIED");
  for (const problem of problems) console.log(`- ${problem}`);
  process.exitCode = 1;
} else console.log("\nExactly once: every delivery succeeded with one attempt, every order reached its network once.");

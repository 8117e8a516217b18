// Draining a backlog as bench/drain.bench.ts does: network simulators in a process of their own, a backlog of
// orders recorded through the outbox, then one worker in this process working it off.
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

const root = path.resolve(import.meta.dirname, "../..");
const { createDb } = await import("../../app/db/client.server.ts");
const { saveSettingsFile } = await import("../../app/settings/store.server.ts");
const { orderFromShopify } = await import("../../app/orders/from-shopify.ts");
const { recordOrder } = await import("../../app/pipeline/outbox.server.ts");
const { planConversions } = await import("../../app/pipeline/plan.ts");
const { cachedShopConfig } = await import("../../app/pipeline/settings-cache.server.ts");
const { closeDriver } = await import("../../app/pipeline/sql/driver.server.ts");
const { startWorker } = await import("../../app/pipeline/worker.server.ts");
const { attributedOrder } = await import("../../devkit/orders/attributed-order.ts");

export interface Simulators {
  settings: Record<string, unknown>;
  networks: string[];
  /** Accepted orders per network so far. */
  accepted(): Promise<number>;
  stop(): void;
}

/** Every registered network's simulator, answering after `latencyMs`; rate limits off (the worker's own pace is measured). */
export async function startSimulatorsProcess(latencyMs: number): Promise<Simulators> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench/support/simulators-process.ts"), JSON.stringify({ latencyMs, rateLimits: false })], {
    cwd: root,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const nextLine = () => new Promise<string>((resolve) => lines.once("line", resolve));
  const sims = JSON.parse(await nextLine()) as { env: Record<string, string>; settings: Record<string, unknown>; networks: string[] };
  Object.assign(process.env, sims.env);
  return {
    settings: sims.settings,
    networks: sims.networks,
    async accepted() {
      child.stdin!.write("stats\n");
      const stats = JSON.parse(await nextLine()) as Record<string, { accepted: number }>;
      return Object.values(stats).reduce((sum, s) => sum + s.accepted, 0);
    },
    stop: () => child.kill("SIGTERM"),
  };
}

export interface DrainResult {
  backlog: number;
  seconds: number;
  rate: number;
  succeeded: number;
  accepted: number;
}

let run = 0;
/**
 * Records `orders` attributed orders for `shop` (a delivery per enabled network each), then drains every pending
 * delivery with one worker; `backlog` counts what was pending when it started.
 */
export async function drainBacklog(
  url: string,
  options: { shop: string; settings: Record<string, unknown>; sims: Simulators; orders: number; concurrency: number; perTarget: number },
): Promise<DrainResult> {
  // Each run its own order numbers: the simulators remember orders (a network may refuse an order number twice).
  const offset = ++run * 1_000_000;
  const db = createDb(url);
  try {
    await saveSettingsFile(db, options.shop, options.settings);
    const config = await cachedShopConfig(db, options.shop);
    const template = attributedOrder(1);
    for (let n = 1; n <= options.orders; n++) {
      const order = orderFromShopify({ ...template, id: 7_000_000_000 + offset + n, name: `#${offset + n}` });
      const plan = planConversions(order, config);
      await recordOrder(db, { shop: options.shop, order, receipt: { eventId: `drain-${offset + n}`, topic: "orders/paid" }, paidAt: new Date(), plan: () => plan, staticPlan: true });
    }
    const backlog = await db.delivery.count({ where: { status: "pending" } });
    const succeededBefore = await db.delivery.count({ where: { status: "succeeded" } });
    const acceptedBefore = await options.sims.accepted();
    const quiet = { info() {}, warn() {}, error: (m: string, f?: object) => console.error(m, f) };
    const started = performance.now();
    // No reconciliation (no Shopify here) and no receipt pruning: the drain measures delivering alone.
    const worker = startWorker({ db, concurrency: options.concurrency, perTargetConcurrency: options.perTarget, pollIntervalMs: 20, reconcile: false, pruneReceipts: false, logger: quiet });
    await worker.idle();
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    const succeeded = (await db.delivery.count({ where: { status: "succeeded" } })) - succeededBefore;
    return { backlog, seconds, rate: backlog / seconds, succeeded, accepted: (await options.sims.accepted()) - acceptedBefore };
  } finally {
    await closeDriver(db);
    await db.$disconnect();
  }
}

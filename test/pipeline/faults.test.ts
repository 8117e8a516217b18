// Database faults on PostgreSQL, end to end: the production server (`affiliate-relay serve`, its own worker
// inside) and a `worker` process, with signed orders/paid webhooks arriving over HTTP and deliveries going to the
// loopback network simulators, while every backend of the database is terminated again and again and then the
// PostgreSQL server is stopped for 10 s and started again. The webhook sender behaves like Shopify: anything but
// a 2xx is sent again, with the same event id, until it is acknowledged.
//
// At the end every acknowledged order reached every network exactly once in effect; the only allowance is the
// documented window (README.md, "Delivery"): an attempt the network accepted but whose result could not be
// recorded within its lease is sent again, and the worker says so ("ATTEMPT SENT BUT NOT RECORDED"). No delivery
// failed, and no process exited. Runs on a cluster of its own, so stopping it disturbs no other test file.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { ensureAppBuild } from "../../devkit/admin/app-build.ts";
import { serveApp, TEST_ENV, type ServedApp } from "../../devkit/admin/serve.ts";
import { startNetworkSimulators, simulatedNetworks, type NetworkSimulators } from "../../devkit/simulators/network-simulators.ts";
import { createPostgresDatabaseOn } from "../../devkit/databases/migrated-databases.ts";
import { startPostgresCluster, type PostgresCluster } from "../../devkit/databases/postgres-cluster.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { simulatorSettings, SHOP } from "./support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";

const root = path.resolve(import.meta.dirname, "../..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OUTAGE_MS = 10_000;
const LANES = 4;

/** Retries a read of the test's own while the database settles after the faults. */
async function settled<T>(read: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await read();
    } catch (error) {
      if (tries >= 20) throw error;
      await sleep(250);
    }
  }
}

describe("database faults on postgresql", () => {
  let cluster: PostgresCluster | undefined;
  let db: Db | undefined;
  let sims: NetworkSimulators | undefined;
  let app: ServedApp | undefined;
  let worker: ChildProcess | undefined;
  afterAll(async () => {
    worker?.kill("SIGKILL");
    if (app && app.child.exitCode === null) await app.stop("SIGKILL");
    await sims?.close();
    if (db) {
      await closeDriver(db).catch(() => {});
      await db.$disconnect().catch(() => {});
    }
    cluster?.stop();
  });

  it("loses nothing, doubles nothing and fails nothing through terminated backends and a restart, and no process exits", { timeout: 240_000 }, async () => {
    await ensureAppBuild();
    cluster = await startPostgresCluster();
    const url = await createPostgresDatabaseOn(cluster.adminUrl);
    const database = new URL(url).pathname.slice(1);
    db = createDb(url);
    sims = await startNetworkSimulators();
    await saveSettingsFile(db, SHOP, simulatorSettings(sims));

    // The server with its built-in worker as operators run it, and one more worker for scale-out.
    app = await serveApp(url, sims.env);
    const workerLog: string[] = [];
    worker = spawn(
      process.execPath,
      [path.join(root, "bin/affiliate-relay.mjs"), "worker", "--id", "faults-worker", "--poll-ms", "50", "--retry-base-ms", "500", "--retry-cap-ms", "2000", "--reconcile-minutes", "0"],
      { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", ...TEST_ENV, ...sims.env, DATABASE_URL: url }, stdio: ["ignore", "pipe", "pipe"] },
    );
    worker.stdout!.setEncoding("utf8").on("data", (chunk: string) => workerLog.push(chunk));
    worker.stderr!.setEncoding("utf8").on("data", (chunk: string) => workerLog.push(chunk));
    const exits: string[] = [];
    worker.once("exit", (code, signal) => exits.push(`worker exited (${code ?? signal})`));
    void app.exited.then(({ code, signal }) => exits.push(`server exited (${code ?? signal})`));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the worker did not start:\n${workerLog.join("")}`)), 30_000);
      const check = () => workerLog.join("").includes(`"msg":"started"`) && (clearTimeout(timer), resolve());
      worker!.stdout!.on("data", check);
      check();
    });

    // Shopify's side: every order is one event, sent again after anything but a 2xx.
    const acknowledged = new Set<number>();
    const answers: Record<string, number> = {};
    const count = (key: string) => (answers[key] = (answers[key] ?? 0) + 1);
    let sending = true;
    let next = 0;
    let giveUpAt = Infinity;
    const send = async (n: number) => {
      const raw = JSON.stringify(attributedOrder(n));
      // A dead server never answers again: stop there, so that the counts below say what happened.
      while (!exits.length && Date.now() < giveUpAt) {
        try {
          const response = await fetch(`${app!.url}/webhooks/orders/paid`, {
            method: "POST",
            headers: webhookHeaders({ topic: "orders/paid", shop: SHOP, body: null, eventId: `faults-${n}` }, raw),
            body: raw,
          });
          await response.text();
          count(String(response.status));
          if (response.ok) return acknowledged.add(n);
        } catch {
          count("no answer");
        }
        await sleep(250);
      }
    };
    const lanes = Array.from({ length: LANES }, async () => {
      while (sending) {
        await send(++next);
        await sleep(150);
      }
    });

    // The faults: every backend of the app's database terminated every 250 ms, then the server stopped and
    // started again, then terminations once more.
    let terminations = 0;
    const terminate = async (forMs: number) => {
      const admin = new pg.Client({ connectionString: cluster!.adminUrl });
      admin.on("error", () => {});
      await admin.connect();
      const until = Date.now() + forMs;
      while (Date.now() < until) {
        const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
        terminations += rowCount ?? 0;
        await sleep(250);
      }
      await admin.end();
    };
    await sleep(1_000);
    await terminate(5_000);
    const answersBeforeOutage = { ...answers };
    await cluster.pause();
    await sleep(OUTAGE_MS);
    await cluster.resume();
    await terminate(3_000);
    await sleep(1_000);
    sending = false;
    giveUpAt = Date.now() + 60_000;
    await Promise.all(lanes);
    const outageAnswers = Object.entries(answers).filter(([status]) => status !== "200").reduce((sum, [status, n]) => sum + n - (answersBeforeOutage[status] ?? 0), 0);

    // Let the workers finish what is queued.
    const open = () => settled(() => db!.delivery.count({ where: { status: { in: ["pending", "in_flight", "waiting"] } } }));
    const deadline = Date.now() + 60_000;
    while (!exits.length && (await open()) > 0 && Date.now() < deadline) await sleep(250);

    const deliveries = await settled(() => db!.delivery.findMany({ select: { network: true, status: true, reason: true } }));
    const byStatus = deliveries.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.status]: (acc[d.status] ?? 0) + 1 }), {});
    const recordedOrders = await settled(() => db!.order.count());
    const accepted: Record<string, number> = {};
    let duplicates = 0;
    let missing = 0;
    for (const network of simulatedNetworks) {
      const perOrder = new Map<string, number>();
      // Orders, not requests: a network that batches reports several orders in one request.
      for (const request of sims.accepted(network)) {
        for (const ref of sims.orderReferences(request)) perOrder.set(ref, (perOrder.get(ref) ?? 0) + 1);
      }
      accepted[network] = [...perOrder.values()].reduce((a, b) => a + b, 0);
      for (const n of acknowledged) {
        const times = perOrder.get(String(1000 + n)) ?? 0;
        if (times === 0) missing++;
        duplicates += Math.max(0, times - 1);
      }
    }
    const logs = app.output() + workerLog.join("");
    const notRecorded = logs.split("ATTEMPT SENT BUT NOT RECORDED").length - 1;
    const failures = deliveries.filter((d) => d.status === "failed");
    console.log(
      `[faults] ${acknowledged.size} orders acknowledged (${recordedOrders} recorded), ${terminations} backends terminated, PostgreSQL stopped for ${OUTAGE_MS / 1000} s; ` +
        `webhook answers ${JSON.stringify(answers)} (${outageAnswers} non-2xx from the outage on); deliveries accepted by each network ${JSON.stringify(accepted)}; ` +
        `duplicates ${duplicates} (attempts sent but not recorded: ${notRecorded}); missing ${missing}; failures ${failures.length}; ` +
        `deliveries by status ${JSON.stringify(byStatus)}; process exits ${exits.length}`,
    );
    if (missing || failures.length || exits.length || byStatus.pending || byStatus.in_flight) {
      console.log(failures.slice(0, 5).map((d) => `${d.network}: ${d.reason}`).join("\n"));
      console.log(logs.slice(-6_000));
    }

    expect(exits).toEqual([]);
    expect(terminations).toBeGreaterThan(20);
    // The outage was seen (non-2xx answers, which Shopify retries) and the server kept answering throughout.
    expect(outageAnswers).toBeGreaterThan(0);
    expect(answers["no answer"] ?? 0).toBe(0);
    expect(acknowledged.size).toBe(next);
    expect(recordedOrders).toBe(acknowledged.size);
    expect(deliveries).toHaveLength(acknowledged.size * simulatedNetworks.length);
    expect(failures.map((d) => `${d.network}: ${d.reason}`)).toEqual([]);
    expect(byStatus).toEqual({ succeeded: acknowledged.size * simulatedNetworks.length });
    expect(missing).toBe(0);
    expect(duplicates).toBeLessThanOrEqual(notRecorded);

    // Both processes still stop gracefully.
    const workerExit = new Promise<number | null>((resolve) => worker!.once("exit", (code) => resolve(code)));
    worker.kill("SIGTERM");
    const serverExit = await app.stop();
    expect([await workerExit, serverExit.code]).toEqual([0, 0]);
  });
});

// Chaos on PostgreSQL: orders through the real HTTP route into three worker PROCESSES (`affiliate-relay worker`),
// against network simulators failing a third of requests (5xx, timeouts, 429), while workers are killed with
// SIGKILL at random moments and restarted. At the end every (order, network) pair was accepted exactly once,
// except where a kill fell between a network's acceptance and the worker's commit (counted and reported), and
// nothing is left pending.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { createTestDb } from "../support/databases.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { startNetworkSimulators, type NetworkSimulators, type SimulatedNetwork } from "../../devkit/simulators/network-simulators.ts";
import { networks } from "../../app/networks/registry.ts";
import { simulatorSettings, SHOP } from "./support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { startRouteServer, type RouteServer } from "../../devkit/route-server.ts";
import { seededRandom } from "../../devkit/seeded-random.ts";

const root = path.resolve(import.meta.dirname, "../..");
const ORDERS = 200;
const WORKERS = 3;
/** Every registered network: the simulators play them all, and every one is on. */
const NETWORKS = networks.map((network) => network.id as SimulatedNetwork);


describe("chaos on postgresql", () => {
  let db: Db;
  let sims: NetworkSimulators;
  let routes: RouteServer;
  const live = new Map<number, ChildProcess>();
  afterAll(async () => {
    for (const child of live.values()) child.kill("SIGKILL");
    await routes?.close();
    await sims?.close();
    setDb(undefined);
    if (db) {
      await closeDriver(db);
      await db.$disconnect();
    }
  });

  it("delivers every order to every network exactly once through killed and restarted worker processes", { timeout: 120_000 }, async () => {
    const random = seededRandom(Number(process.env.CHAOS_SEED ?? 4242));
    const created = await createTestDb("postgresql");
    db = created.db;
    setDb(db);
    // Rate limits off: hundreds of orders within a minute, one request each, until the worker paces and batches
    // per network (DeliveryPacing); this test is about kills and failures, not a network's limit.
    sims = await startNetworkSimulators({ timeoutHoldMs: 1_500, retryAfterSeconds: 1, seed: 7, rateLimits: false });
    Object.assign(process.env, sims.env);
    await saveSettingsFile(db, SHOP, simulatorSettings(sims));
    routes = await startRouteServer();
    sims.setFailureRate(1 / 3, ["5xx", "timeout", "429"]);

    const logs: string[] = [];
    let spawned = 0;
    const startWorkerProcess = (slot: number) => {
      const child = spawn(
        process.execPath,
        [path.join(root, "bin/affiliate-relay.mjs"), "worker", "--id", `chaos-${slot}-${++spawned}`, "--concurrency", "12", "--per-target", "6",
          "--poll-ms", "50", "--lease-ms", "3000", "--request-timeout-ms", "1000", "--retry-base-ms", "200", "--retry-cap-ms", "1500", "--reconcile-minutes", "0"],
        { cwd: root, env: { ...process.env, DATABASE_URL: created.url, PIPELINE_PG_POOL: "4" }, stdio: ["ignore", "pipe", "pipe"] },
      );
      // Both streams are read: the JSON logs go to stdout, and an unread pipe would block the worker once full.
      child.stdout!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
      live.set(slot, child);
      return child;
    };
    for (let slot = 0; slot < WORKERS; slot++) startWorkerProcess(slot);

    // Kill a random worker every 1-2.5 s while orders arrive and for a while after (at most 10 kills); restart it
    // shortly after. A restart costs about two seconds of start-up, so more kills would leave no worker alive.
    let kills = 0;
    let chaos = true;
    const killer = (async () => {
      while (chaos && kills < 10) {
        await new Promise((resolve) => setTimeout(resolve, 1_000 + random() * 1_500));
        if (!chaos) break;
        const slot = Math.floor(random() * WORKERS);
        const victim = live.get(slot);
        if (!victim || victim.exitCode !== null) continue;
        victim.kill("SIGKILL");
        kills++;
        await new Promise((resolve) => setTimeout(resolve, 100 + random() * 400));
        startWorkerProcess(slot);
      }
    })();

    // Orders through the real HTTP route, ten at a time; every tenth also repeated (same event, then a new one).
    const post = async (n: number, eventId: string) => {
      const raw = JSON.stringify(attributedOrder(n));
      const response = await fetch(`${routes.url}/webhooks/orders/paid`, {
        method: "POST",
        headers: webhookHeaders({ topic: "orders/paid", shop: SHOP, body: null, eventId }, raw),
        body: raw,
      });
      expect(response.status).toBe(200);
    };
    for (let start = 1; start <= ORDERS; start += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => post(start + i, `chaos-${start + i}`)));
      if (start % 30 === 1) await Promise.all([post(start, `chaos-${start}`), post(start, `chaos-${start}-again`)]);
    }

    // Keep killing until half the deliveries are done, then let the workers finish.
    const openCount = () => db.delivery.count({ where: { status: { in: ["pending", "in_flight", "waiting"] } } });
    // (at least four kills, so the run always has some, however fast the machine drains)
    for (let i = 0; i < 300 && ((await openCount()) > (ORDERS * NETWORKS.length) / 2 || kills < 4); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    chaos = false;
    await killer;
    const deadline = Date.now() + 60_000;
    while ((await openCount()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));

    // Graceful stop of the survivors: SIGTERM, exit code 0.
    const exits = await Promise.all(
      [...live.values()].map(
        (child) =>
          new Promise<number | null>((resolve) => {
            if (child.exitCode !== null) return resolve(child.exitCode);
            child.once("exit", (code) => resolve(code));
            child.kill("SIGTERM");
          }),
      ),
    );
    live.clear();

    const deliveries = await db.delivery.findMany({ include: { order: { select: { name: true } } } });
    const byStatus = deliveries.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.status]: (acc[d.status] ?? 0) + 1 }), {});
    const injected = NETWORKS.reduce((sum, n) => sum + sims.received(n).filter((r) => r.injected).length, 0);
    // Kill-window effects: a network accepted the same delivery twice, or (Retrack, which refuses a second
    // transaction for one order number) the resend was refused after the first had been accepted.
    let doubled = 0;
    let refusedAsDuplicate = 0;
    let missing = 0;
    for (const network of NETWORKS) {
      const accepted = new Map<string, number>();
      for (const request of sims.accepted(network)) {
        for (const ref of sims.orderReferences(request)) accepted.set(ref, (accepted.get(ref) ?? 0) + 1);
      }
      for (let n = 1; n <= ORDERS; n++) {
        const ref = String(1000 + n);
        const count = accepted.get(ref) ?? 0;
        if (count === 0) missing++;
        if (count > 1) doubled += count - 1;
      }
      refusedAsDuplicate += deliveries.filter((d) => d.network === network && d.status === "failed" && /already been taken/.test(d.reason ?? "")).length;
    }
    console.log(
      `[chaos] ${ORDERS} orders x ${NETWORKS.length} networks, ${WORKERS} worker processes, ${kills} SIGKILLs, ${spawned} processes started, ` +
        `${injected} injected failures; deliveries by status ${JSON.stringify(byStatus)}; ` +
        `kill-window effects: ${doubled} accepted twice, ${refusedAsDuplicate} refused as already recorded; missing ${missing}`,
    );
    if (missing || byStatus.pending || byStatus.in_flight) console.log(logs.join("").slice(-3000));

    expect(kills).toBeGreaterThanOrEqual(4);
    expect(injected).toBeGreaterThan(100);
    expect(deliveries).toHaveLength(ORDERS * NETWORKS.length);
    expect(byStatus.pending ?? 0).toBe(0);
    expect(byStatus.in_flight ?? 0).toBe(0);
    expect(byStatus.waiting ?? 0).toBe(0);
    expect(missing).toBe(0);
    expect((byStatus.succeeded ?? 0) + refusedAsDuplicate).toBe(ORDERS * NETWORKS.length);
    // Rare: at most a couple per kill (a kill can only catch the attempts its worker had in flight).
    expect(doubled + refusedAsDuplicate).toBeLessThanOrEqual(kills * 2);
    expect(exits.every((code) => code === 0)).toBe(true);
  });
});

// Per-network pacing (app/networks/types.ts DeliveryPacing) through the real worker, against devkit's simulator of
// Awin (which answers 429 past its rate limit, reading the same controlled clock): a shop's requests to a
// rate-limited network keep to its limit across two workers sharing the database; due conversions travel in
// batches of up to the network's size; in a batch each order succeeds or fails on its own, with its own attempt
// row; and a 429's Retry-After holds back the shop's next request, whatever is due. This file puts a copy of Awin's definition in the registry, with pacing a test can change before
// starting its workers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { AWIN_RATE_LIMIT } from "../../app/networks/awin/index.ts";
import { networkById } from "../../app/networks/registry.ts";
import type * as Registry from "../../app/networks/registry.ts";
import type { DeliveryPacing } from "../../app/networks/types.ts";
import { ingestPaidOrder } from "../../app/pipeline/ingest.server.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { startWorker, type Worker } from "../../app/pipeline/worker.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { AwinSimulator } from "../../app/networks/awin/simulator.ts";
import { shopifyOrder } from "../../devkit/orders/shopify-order.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../devkit/simulators/network-simulators.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { quietLogger } from "./support/harness.ts";

vi.mock("../../app/networks/registry.ts", async (importOriginal) => {
  const real = await importOriginal<typeof Registry>();
  const { awin } = await import("../../app/networks/awin/index.ts");
  // A copy, so that a test may change its pacing; Awin's own definition is left as it is.
  const networks = [...real.networks.filter((network) => network.id !== "awin"), { ...awin, pacing: { ...awin.pacing } } as unknown as (typeof real.networks)[number]];
  return { ...real, networks, networkById: (id: string) => networks.find((network) => network.id === id) };
});

const awinPacing = (pacing: DeliveryPacing) => {
  networkById("awin")!.pacing = pacing;
};
const AWIN_OWN_PACING = networkById("awin")!.pacing!;

type Request = { reference: string; orders: number };

describe.each(databaseKinds)("pacing on %s", (kind) => {
  let db: Db;
  let sims: NetworkSimulators;
  let workers: Worker[] = [];
  // Read by the workers and by the simulator's rate limit: starts from the real now, moves only when a test moves it.
  let clock = Date.now();

  beforeEach(async () => {
    db = (await createTestDb(kind)).db;
    setDb(db);
    clock = Date.now();
    awinPacing(AWIN_OWN_PACING);
  });
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers = [];
    await sims?.close();
    vi.unstubAllEnvs();
    setDb(undefined);
    await closeDriver(db);
    await db.$disconnect();
  });

  async function startAwin(rateLimit: { requests: number; perMs: number } = AWIN_RATE_LIMIT, retryAfterSeconds?: number) {
    sims = await startNetworkSimulators({ networks: ["awin"], now: () => clock, rateLimitOf: { awin: rateLimit }, retryAfterSeconds });
    for (const [name, value] of Object.entries(sims.env)) vi.stubEnv(name, value);
  }

  async function shopWithAwin(shop: string) {
    await saveSettingsFile(db, shop, { networks: { awin: { ...sims.credentials.awin, enabled: true, commissionGroup: "", cookieDays: 30 } } });
  }

  /** A paid order with an Awin click, recorded as orders/paid would record it. */
  async function paid(shop: string, reference: number) {
    const payload = shopifyOrder({
      id: 8_000_000_000 + reference,
      name: `#${reference}`,
      lines: [{ quantity: 1, unitPrice: 1_000 + reference }],
      noteAttributes: { _awin_awc: `1001_1732096800_${reference.toString(16).padStart(32, "0")}` },
    });
    expect((await ingestPaidOrder(db, { shop, eventId: `paid-${reference}`, payload })).kind).toBe("recorded");
  }

  function start(count: number) {
    // From the real now, past the orders just recorded (ingest stamps them with the real clock).
    clock = Date.now();
    for (let i = 0; i < count; i++) {
      workers.push(startWorker({ db, workerId: `pacing-${i}`, pollIntervalMs: 10, requestTimeoutMs: 2_000, logger: quietLogger, now: () => new Date(clock), reconcile: false, pruneReceipts: false }));
    }
  }

  /** Until every worker has nothing due (the clock stands still, so nothing new comes due meanwhile). */
  async function idle() {
    for (let round = 0; round < 2; round++) await Promise.all(workers.map((worker) => worker.idle()));
  }

  const conversions = (): Request[] =>
    sims.received("awin")
      .filter((r) => r.kind === "conversion")
      .map((r) => {
        const orders = (JSON.parse(r.rawBody) as { orders: Array<{ orderReference: string }> }).orders;
        return { reference: orders[0]!.orderReference, orders: orders.length };
      });

  it("keeps each shop to the network's rate limit, across two workers sharing the database, never drawing a 429", async () => {
    awinPacing({ rateLimit: { requests: 2, perMs: 60_000 } });
    // The simulated Awin user is shared by both shops here, so its own limit is both shops' together.
    await startAwin({ requests: 4, perMs: 60_000 });
    await shopWithAwin("paced-a.myshopify.com");
    await shopWithAwin("paced-b.myshopify.com");
    for (const reference of [1101, 1102, 1103]) await paid("paced-a.myshopify.com", reference);
    for (const reference of [2201, 2202, 2203]) await paid("paced-b.myshopify.com", reference);
    start(2);

    // Two requests a minute is one every 30 seconds, per shop.
    const perStep: string[][] = [];
    for (let step = 0; step < 4; step++) {
      const before = conversions().length;
      await idle();
      perStep.push(conversions().slice(before).map((r) => r.reference[0]!).sort());
      clock += 30_000;
    }
    expect(perStep).toEqual([["1", "2"], ["1", "2"], ["1", "2"], []]);
    expect(sims.received("awin").map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(await db.delivery.groupBy({ by: ["status"], _count: true })).toEqual([{ status: "succeeded", _count: 6 }]);

    // A request goes once its slot has come, not before: the next one 30 seconds after it, not 15.
    await paid("paced-a.myshopify.com", 1104);
    await idle();
    expect(conversions().map((r) => r.reference)).toContain("1104");
    await paid("paced-a.myshopify.com", 1105);
    await idle();
    clock += 15_000;
    await idle();
    expect(conversions()).toHaveLength(7);
    clock += 15_000;
    await idle();
    expect(conversions().map((r) => r.reference).slice(7)).toEqual(["1105"]);
  });

  it("sends due conversions of one shop in batches of up to the network's size, each delivery with its own attempt", async () => {
    awinPacing({ batchSize: 3 });
    await startAwin();
    const shop = "batched.myshopify.com";
    await shopWithAwin(shop);
    for (let reference = 3301; reference <= 3307; reference++) await paid(shop, reference);
    start(1);
    await idle();

    // Without a rate limit the batches go at once, so they may arrive in any order.
    expect(conversions().map((r) => r.orders).sort()).toEqual([1, 3, 3]);
    expect(sims.simulator("awin", AwinSimulator).orders.size).toBe(7);
    const deliveries = await db.delivery.findMany({ where: { shop }, include: { attemptsLog: true, order: true } });
    expect(deliveries.map((d) => d.status)).toEqual(Array(7).fill("succeeded"));
    for (const d of deliveries) {
      expect(d.attemptsLog).toHaveLength(1);
      // The attempt logs its own order's part of the request.
      const logged = JSON.parse(d.attemptsLog[0]!.request!) as { body: { orders: Array<{ orderReference: string }> } };
      expect(logged.body.orders.map((o) => o.orderReference)).toEqual([d.order.name.slice(1)]);
      expect(d.attemptsLog[0]!.outcome).toBe("success");
    }
  });

  it("with Awin's own pacing, sends a shop's due conversions in one request and takes one of its 20 a minute", async () => {
    expect(AWIN_OWN_PACING).toEqual({ rateLimit: { requests: 20, perMs: 60_000 }, batchSize: 1000 });
    await startAwin();
    const shop = "awin-own.myshopify.com";
    await shopWithAwin(shop);
    for (let reference = 4401; reference <= 4405; reference++) await paid(shop, reference);
    start(2);
    await idle();
    expect(conversions().map((r) => r.orders)).toEqual([5]);

    // Another order right after waits for the next slot, three seconds on.
    await paid(shop, 4406);
    clock = Math.max(clock, Date.now());
    await idle();
    expect(conversions()).toHaveLength(1);
    clock += 3_000;
    await idle();
    expect(conversions().map((r) => r.orders)).toEqual([5, 1]);
  });

  it("a 429 with Retry-After holds back the shop's next request until then, not only the deliveries it answered", async () => {
    await startAwin(AWIN_RATE_LIMIT, 120);
    const shop = "told-to-wait.myshopify.com";
    await shopWithAwin(shop);
    await paid(shop, 6601);
    sims.failNext("awin", "429");
    start(1);
    await idle();
    const toldAt = clock;
    expect(sims.received("awin").map((r) => r.status)).toEqual([429]);
    const connection = await db.networkConnection.findFirstOrThrow({ where: { shop, network: "awin" } });
    expect(connection.nextRequestAt?.getTime()).toBe(toldAt + 120_000);

    // Another order is due, and Awin's own pacing (one request every 3 seconds) would send it long before then.
    await paid(shop, 6602);
    clock = Math.max(clock, Date.now()) + 3_000;
    await idle();
    clock = toldAt + 119_000;
    await idle();
    expect(sims.received("awin")).toHaveLength(1);
    clock = toldAt + 120_000;
    await idle();
    expect(conversions().map((r) => r.orders)).toEqual([2]);
    expect(sims.accepted("awin").flatMap((r) => sims.orderReferences(r)).sort()).toEqual(["6601", "6602"]);
    expect((await db.delivery.findMany({ where: { shop } })).map((d) => d.status)).toEqual(["succeeded", "succeeded"]);
  });

  it("in a batch, an order the network refuses fails alone: the others succeed", async () => {
    await startAwin();
    const shop = "mixed.myshopify.com";
    await shopWithAwin(shop);
    // Awin already has a transaction 5502 with other values, so it refuses this shop's 5502.
    sims.simulator("awin", AwinSimulator).orders.set("5502", { orderReference: "5502", amount: 1, channel: "aw", currency: "USD" });
    for (const reference of [5501, 5502, 5503]) await paid(shop, reference);
    start(1);
    await idle();

    expect(conversions().map((r) => r.orders)).toEqual([3]);
    const deliveries = await db.delivery.findMany({ where: { shop }, include: { attemptsLog: true, order: true }, orderBy: { order: { name: "asc" } } });
    expect(deliveries.map((d) => [d.order.name, d.status, d.attempts])).toEqual([
      ["#5501", "succeeded", 1],
      ["#5502", "failed", 1],
      ["#5503", "succeeded", 1],
    ]);
    expect(deliveries[1]!.reason).toMatch(/did not record the order: order 5502: orderReference 5502 was already recorded with other values/);
    expect(deliveries.map((d) => d.attemptsLog.map((a) => a.outcome))).toEqual([["success"], ["permanent"], ["success"]]);
    expect([...sims.simulator("awin", AwinSimulator).orders.keys()].sort()).toEqual(["5501", "5502", "5503"]);
  });
});

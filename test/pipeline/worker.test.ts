// The delivery worker against the loopback network simulators: exactly one accepted request per order and
// network, every attempt logged without secrets, the retry schedule on a controlled clock, permanent failures,
// rejected keys pausing a network until they change, reversals after their conversion, leases, and shutdown.
import { afterEach, describe, expect, it } from "vitest";
import { claimDueDeliveries, recoverExpiredLeases } from "../../app/pipeline/claim.server.ts";
import { deliverClaimed, type DeliverContext } from "../../app/pipeline/deliver.server.ts";
import { DEFAULT_RETRY_POLICY } from "../../app/pipeline/retry-policy.ts";
import { driverFor, type SqlDriver, type Work } from "../../app/pipeline/sql/driver.server.ts";
import { cachedShopConfig } from "../../app/pipeline/settings-cache.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { shopifyRefund } from "../../devkit/orders/shopify-order.ts";
import { databaseKinds } from "../support/databases.ts";
import { simulatorSettings, SHOP, startRelay, type Relay } from "./support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { RetrackSimulator } from "../../app/networks/retrack/simulator.ts";
import { networkById, networks } from "../../app/networks/registry.ts";

describe.each(databaseKinds)("delivery worker on %s", (kind) => {
  let relay: Relay;
  afterEach(async () => relay?.close());

  /** What a worker hands each attempt, with the clock given. */
  const attemptContext = (now: () => Date): DeliverContext => ({
    db: relay.db,
    owner: "w1",
    now,
    random: () => 0.5,
    retry: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: 2_000,
    leaseMs: 60_000,
    shopConfig: (shop) => cachedShopConfig(relay.db, shop),
  });

  /**
   * The real driver, except that the next `count` units of work that record an attempt fail the way a dropped
   * connection does, before any of their statements reach the database.
   */
  function failAttemptRecords(driver: SqlDriver, count: number) {
    let left = count;
    const faulty = <T>(work: () => Work<T>) =>
      function* (): Work<T> {
        const inner = work();
        let step = inner.next();
        while (!step.done) {
          if (left > 0 && step.value.sql.includes('INSERT INTO "DeliveryAttempt"')) {
            left--;
            inner.return(undefined as T);
            throw new Error("Connection terminated unexpectedly (simulated)");
          }
          step = inner.next(yield step.value);
        }
        return step.value;
      };
    const { transaction, read } = driver;
    driver.transaction = <T>(work: () => Work<T>) => transaction.call(driver, faulty(work)) as Promise<T>;
    driver.read = <T>(work: () => Work<T>) => read.call(driver, faulty(work)) as Promise<T>;
    return { left: () => left, restore: () => Object.assign(driver, { transaction, read }) };
  }

  it("keeps a success the database failed to record and records it once the database answers: no second send", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1, { attributed: false })); // Refersion only
    const faults = failAttemptRecords(driverFor(relay.db), 3);
    let clock = new Date();
    const worker = relay.worker({ now: () => clock, leaseMs: 60_000 });
    await worker.idle();
    // Past the lease and the worker's lease check: an attempt left in flight would be taken up and sent again.
    clock = new Date(clock.getTime() + 61_000);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await worker.idle();
    expect(relay.sims.accepted("refersion")).toHaveLength(1);
    const d = await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });
    expect([d.status, d.attempts, d.leaseOwner]).toEqual(["succeeded", 1, null]);
    expect(await relay.db.deliveryAttempt.count({ where: { deliveryId: d.id } })).toBe(1);
    expect(faults.left()).toBe(0); // all three failures hit the one attempt's record
    faults.restore();
  });

  it("does not send a claim whose lease ran out before its request went out, even when the same worker claimed the row again", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1, { attributed: false })); // Refersion only
    const t0 = new Date();
    const [stale] = await claimDueDeliveries(relay.db, { owner: "w1", limit: 10, perTarget: 10, leaseMs: 60_000, now: t0 });
    expect(stale).toBeDefined();
    // The claim waited in memory past its lease: nobody has taken the row yet, and still it must not go out.
    const late = new Date(t0.getTime() + 60_001);
    expect(await deliverClaimed(attemptContext(() => late), stale!)).toBe("lost");
    expect(relay.sims.received("refersion")).toHaveLength(0);

    // The row is taken up again, by the same worker: the stale attempt is not this claim.
    expect(await recoverExpiredLeases(relay.db, late)).toBe(1);
    const [fresh] = await claimDueDeliveries(relay.db, { owner: "w1", limit: 10, perTarget: 10, leaseMs: 60_000, now: late });
    expect(fresh?.id).toBe(stale!.id);
    expect(await deliverClaimed(attemptContext(() => late), stale!)).toBe("lost");
    expect(relay.sims.received("refersion")).toHaveLength(0);
    expect(await deliverClaimed(attemptContext(() => late), fresh!)).toBe("succeeded");
    expect(relay.sims.accepted("refersion")).toHaveLength(1);
    const row = await relay.db.delivery.findUniqueOrThrow({ where: { id: fresh!.id } });
    expect([row.status, row.attempts]).toEqual(["succeeded", 1]);
  });

  it("delivers each order to each network exactly once and logs every attempt without secrets", async () => {
    relay = await startRelay(kind);
    for (let i = 1; i <= 20; i++) expect(await relay.post("orders/paid", attributedOrder(i))).toBe(200);
    await relay.post("orders/paid", attributedOrder(3)); // the same order again, under a new event id
    const worker = relay.worker({ concurrency: 8, perTargetConcurrency: 3 });
    await worker.idle();
    for (const network of relay.sims.networks) {
      const accepted = relay.sims.accepted(network);
      // Orders, not requests: a network that batches (app/networks/types.ts DeliveryPacing) reports several in one.
      const orders = accepted.flatMap((request) => relay!.sims.orderReferences(request));
      expect(orders.sort(), network).toEqual(Array.from({ length: 20 }, (_, i) => String(1001 + i)).sort());
      expect(accepted.every((r) => r.problems.length === 0)).toBe(true);
    }
    const deliveries = await relay.db.delivery.findMany();
    expect(deliveries).toHaveLength(20 * relay.sims.networks.length);
    expect(deliveries.every((d) => d.status === "succeeded" && d.attempts === 1 && d.leaseOwner === null)).toBe(true);
    // Retrack's transaction uuid is kept for later updates.
    const retrack = deliveries.filter((d) => d.network === "retrack");
    expect(new Set(retrack.map((d) => d.externalRef)).size).toBe(20);
    for (const d of retrack) expect(relay.sims.simulator("retrack", RetrackSimulator).transactions.has(d.externalRef!)).toBe(true);

    const attempts = await relay.db.deliveryAttempt.findMany();
    expect(attempts).toHaveLength(20 * relay.sims.networks.length);
    for (const attempt of attempts) {
      expect(attempt.httpStatus).toBe(200);
      expect(attempt.outcome).toBe("success");
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      const request = JSON.parse(attempt.request!) as { method: string; url: string; headers: Record<string, string> };
      expect(request.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    }
    const everything = JSON.stringify(attempts) + JSON.stringify(deliveries);
    expect(relay.sims.secrets().length).toBeGreaterThan(0);
    for (const secret of relay.sims.secrets()) expect(everything).not.toContain(secret);
    expect(everything).toContain("[redacted]");
    expect((await relay.db.networkConnection.findMany()).every((c) => c.credentialsStatus === "ok")).toBe(true);
  });

  it("retries on a controlled clock with jittered exponential backoff, and honours Retry-After", async () => {
    relay = await startRelay(kind, { simulators: { retryAfterSeconds: 600 } });
    await relay.post("orders/paid", attributedOrder(1, { attributed: false })); // Refersion only
    // A controlled clock that starts from the real now, after ingestion stamped the delivery with it.
    let clock = new Date();
    relay.sims.failNext("refersion", "5xx", 2);
    relay.sims.failNext("refersion", "429", 1);
    const worker = relay.worker({ now: () => clock, random: () => 0.5 });
    const delivery = () => relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });

    await worker.idle();
    let d = await delivery();
    expect([d.status, d.attempts]).toEqual(["pending", 1]);
    // 30 s step, half fixed and half random (0.5): 22.5 s.
    expect(d.nextAttemptAt.getTime() - clock.getTime()).toBe(22_500);
    expect(d.firstAttemptAt).toEqual(clock);

    clock = new Date(clock.getTime() + 22_499);
    await worker.idle();
    expect((await delivery()).attempts).toBe(1); // not due yet

    clock = new Date(clock.getTime() + 1);
    await worker.idle();
    d = await delivery();
    expect([d.status, d.attempts]).toEqual(["pending", 2]);
    expect(d.nextAttemptAt.getTime() - clock.getTime()).toBe(45_000); // 60 s step

    clock = d.nextAttemptAt;
    await worker.idle();
    d = await delivery();
    expect([d.status, d.attempts, d.lastStatus]).toEqual(["pending", 3, 429]);
    expect(d.nextAttemptAt.getTime() - clock.getTime()).toBe(600_000); // the network's Retry-After: longer than the 90 s backoff

    clock = d.nextAttemptAt;
    await worker.idle();
    d = await delivery();
    expect([d.status, d.attempts, d.lastStatus]).toEqual(["succeeded", 4, 200]);
    const log = await relay.db.deliveryAttempt.findMany({ where: { deliveryId: d.id }, orderBy: { startedAt: "asc" } });
    expect(log.map((a) => [a.httpStatus, a.outcome])).toEqual([
      [503, "retry"],
      [503, "retry"],
      [429, "retry"],
      [200, "success"],
    ]);
    expect(relay.sims.accepted("refersion")).toHaveLength(1);
  });

  it("gives up after about three days of failures and says so", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1, { attributed: false }));
    const start = new Date(); // the real now, after ingestion stamped the delivery
    let clock = start;
    relay.sims.failNext("refersion", "5xx", 1000);
    const worker = relay.worker({ now: () => clock, random: () => 1 });
    let d = await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });
    for (let i = 0; i < 100 && d.status === "pending"; i++) {
      clock = d.nextAttemptAt > clock ? d.nextAttemptAt : clock;
      await worker.idle();
      d = await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });
    }
    expect(d.status).toBe("failed");
    expect(d.reason).toMatch(/^gave up after \d+ attempts over 72 hours: /);
    expect(clock.getTime() - start.getTime()).toBeGreaterThan(60 * 3_600_000);
    expect(clock.getTime() - start.getTime()).toBeLessThanOrEqual(72 * 3_600_000);
    expect(await relay.db.deliveryAttempt.count({ where: { deliveryId: d.id } })).toBe(d.attempts);
  });

  it("stops at a permanent failure, with the network's words as the reason", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1));
    relay.sims.failNext("flexoffers", "no-click");
    const worker = relay.worker();
    await worker.idle();
    const d = await relay.db.delivery.findFirstOrThrow({ where: { network: "flexoffers" } });
    expect([d.status, d.attempts]).toEqual(["failed", 1]);
    expect(d.reason).toMatch(/No click ID found/);
    expect(d.completedAt).not.toBeNull();
  });

  it("pauses a network whose keys are rejected until the merchant saves new ones", async () => {
    relay = await startRelay(kind, { settings: (sims) => simulatorSettings(sims, { refersion: { secretKey: "sec_wrong_key" } }) });
    for (let i = 1; i <= 3; i++) await relay.post("orders/paid", attributedOrder(i));
    const worker = relay.worker({ concurrency: 1 });
    await worker.idle();
    const refersion = await relay.db.delivery.findMany({ where: { network: "refersion" } });
    expect(refersion.map((d) => d.status)).toEqual(["paused", "paused", "paused"]);
    // One request with the bad keys, not three: the others were paused without being sent.
    expect(relay.sims.received("refersion")).toHaveLength(1);
    const connection = await relay.db.networkConnection.findFirstOrThrow({ where: { network: "refersion" } });
    expect(connection.credentialsStatus).toBe("rejected");
    expect(JSON.stringify(refersion)).not.toContain("sec_wrong_key");
    // Orders arriving meanwhile wait too.
    await relay.post("orders/paid", attributedOrder(4));
    expect((await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion", order: { shopifyOrderId: "5000000004" } } })).status).toBe("paused");
    expect(relay.sims.accepted("retrack")).toHaveLength(3);

    await saveSettingsFile(relay.db, SHOP, simulatorSettings(relay.sims));
    await worker.stop();
    await relay.worker().idle(); // a fresh worker resumes at start-up
    expect((await relay.db.delivery.findMany({ where: { network: "refersion" } })).map((d) => d.status)).toEqual(Array(4).fill("succeeded"));
    expect(relay.sims.accepted("refersion")).toHaveLength(4);
    expect((await relay.db.networkConnection.findFirstOrThrow({ where: { network: "refersion" } })).credentialsStatus).toBe("ok");
  });

  it("sends reversals only after their conversion, using Retrack's uuid from the conversion", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1));
    await relay.post("orders/paid", attributedOrder(2));
    // The reversals arrive before the worker delivered the conversions: they wait.
    await relay.post("orders/cancelled", { ...attributedOrder(1), cancelled_at: "2026-11-21T10:00:00Z" });
    const refund = shopifyRefund({ id: 901, orderId: 5_000_000_002, lines: [{ lineItemId: 10_001, quantity: 1, subtotal: 4000 }] });
    await relay.post("refunds/create", refund);
    const reversing = networks.filter((network) => network.reversal.supported);
    expect(await relay.db.delivery.count({ where: { status: "waiting" } })).toBe(2 * reversing.length);
    await relay.worker().idle();
    const rows = await relay.db.delivery.findMany({ orderBy: [{ order: { shopifyOrderId: "asc" } }, { network: "asc" }, { kind: "asc" }] });
    // Per order, per network (by id): the conversion, and the reversal, skipped where the network has none.
    const byId = [...networks].sort((a, b) => (a.id < b.id ? -1 : 1));
    const expected = ["cancellation", "refund:901"].flatMap((reversal) =>
      byId.flatMap((network) =>
        [
          [network.id, "conversion", "succeeded"],
          [network.id, reversal, network.reversal.supported ? "succeeded" : "skipped"],
        ].sort((a, b) => (a[1]! < b[1]! ? -1 : 1)),
      ),
    );
    expect(rows.map((d) => [d.network, d.kind, d.status])).toEqual(expected);
    for (const row of rows.filter((d) => d.status === "skipped")) expect(row.reason).toBe((networkById(row.network)!.reversal as { reason: string }).reason);
    const retrackRow = (orderId: string, kind: string) => rows.find((d) => d.network === "retrack" && d.kind === kind && d.orderId === orderId)!;
    const [first, second] = [...new Set(rows.map((d) => d.orderId))];
    for (const [row, status] of [[retrackRow(first!, "conversion"), "rejected"], [retrackRow(second!, "conversion"), "pending"]] as const) {
      const uuid = row.externalRef!;
      expect(relay.sims.simulator("retrack", RetrackSimulator).transactions.get(uuid)?.status).toBe(status);
      const calls = relay.sims.accepted("retrack").filter((r) => r.path.endsWith(`/transactions/${uuid}`));
      expect(calls).toHaveLength(1);
    }
    const cancels = relay.sims.accepted("refersion").filter((r) => r.kind === "cancel");
    expect(cancels).toHaveLength(2);
    // Each reversal reached the network after its conversion had been accepted.
    for (const cancel of cancels) {
      const orderId = (cancel.body as { order_id: string }).order_id;
      const conversion = relay.sims.accepted("refersion").find((r) => r.kind === "conversion" && (r.body as { order_id: string }).order_id === orderId)!;
      expect(conversion.receivedAt).toBeLessThanOrEqual(cancel.receivedAt);
    }
  });

  it("leaves Retrack's transaction with every partial refund taken off, not only the latest", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(3));
    // One worker throughout: a second one's idle() says nothing of a refund the first still has in flight.
    const worker = relay.worker();
    await worker.idle();
    // Two partial refunds, due at once: one unit of the 2 x 12.50 line, then the 40.00 line.
    await relay.post("refunds/create", shopifyRefund({ id: 911, orderId: 5_000_000_003, lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 1125 }] }));
    await relay.post("refunds/create", shopifyRefund({ id: 912, orderId: 5_000_000_003, lines: [{ lineItemId: 10_001, quantity: 1, subtotal: 4000 }] }));
    await worker.idle();
    const conversion = await relay.db.delivery.findFirstOrThrow({ where: { network: "retrack", kind: "conversion" } });
    const transaction = relay.sims.simulator("retrack", RetrackSimulator).transactions.get(conversion.externalRef!)!;
    // Left: 1 x 12.50 with its half of the 2.50 discount, VAT excluded as in every Retrack sum.
    expect(transaction.body).toMatchObject({ products: [{ quantity: 1 }] });
    expect((transaction.body as { products: unknown[] }).products).toHaveLength(1);
    expect(relay.sims.accepted("retrack").filter((r) => r.path.endsWith(`/transactions/${conversion.externalRef}`))).toHaveLength(2);
  });

  it("takes up a crashed worker's claims once the lease has run out", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1));
    const t0 = new Date();
    const crashed = await claimDueDeliveries(relay.db, { owner: "crashed-worker", limit: 10, perTarget: 10, leaseMs: 60_000, now: t0 });
    expect(crashed).toHaveLength(relay.sims.networks.length);
    let clock = new Date(t0.getTime() + 30_000);
    const worker = relay.worker({ now: () => clock });
    await worker.idle();
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // past the worker's lease check
    await worker.idle();
    expect(relay.sims.received("refersion")).toHaveLength(0);
    clock = new Date(t0.getTime() + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await worker.idle();
    expect((await relay.db.delivery.findMany()).map((d) => d.status)).toEqual(relay.sims.networks.map(() => "succeeded"));
    for (const network of relay.sims.networks) expect(relay.sims.accepted(network)).toHaveLength(1);
  });

  it("on stop, finishes the attempts in flight and hands back what it had not started", async () => {
    relay = await startRelay(kind, { simulators: { latencyMs: 300 } });
    for (let i = 1; i <= 10; i++) await relay.post("orders/paid", attributedOrder(i, { attributed: false }));
    const worker = relay.worker({ concurrency: 4, perTargetConcurrency: 2 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await worker.stop();
    const rows = await relay.db.delivery.findMany({ where: { network: "refersion" } });
    expect(rows.filter((d) => d.status === "in_flight")).toHaveLength(0);
    const done = rows.filter((d) => d.status === "succeeded");
    expect(done.length).toBe(2); // the two that were in flight finished
    expect(rows.filter((d) => d.status === "pending")).toHaveLength(8);
    expect(relay.sims.accepted("refersion")).toHaveLength(2);
    await relay.worker().idle();
    expect(relay.sims.accepted("refersion")).toHaveLength(10);
  });
});

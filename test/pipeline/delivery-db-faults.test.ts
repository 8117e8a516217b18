// A database that fails while a delivery is worked on (a dropped connection, a restart) is a transient fault:
// the delivery is retried on the retry policy's schedule like a network 5xx, never failed for good, and the
// worker's loop carries on with growing pauses. Only what cannot succeed on a retry (a recorded order that cannot
// be mapped) is permanent. The failures here are injected into the real driver the way a dropped connection
// shows (test/pipeline/worker.test.ts does the same for attempt records); test/pipeline/faults.test.ts drops
// real connections and restarts a real server.
import { afterEach, describe, expect, it } from "vitest";
import { claimDueDeliveries, type ClaimedDelivery } from "../../app/pipeline/claim.server.ts";
import { deliverClaimed, type DeliverContext } from "../../app/pipeline/deliver.server.ts";
import { backoffMs, DEFAULT_RETRY_POLICY } from "../../app/pipeline/retry-policy.ts";
import { cachedShopConfig } from "../../app/pipeline/settings-cache.server.ts";
import { driverFor, type SqlDriver, type Work } from "../../app/pipeline/sql/driver.server.ts";
import type { WorkerLogger } from "../../app/pipeline/worker.server.ts";
import { databaseKinds } from "../support/databases.ts";
import { startRelay, type Relay } from "./support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";

const DROPPED = "Connection terminated unexpectedly (simulated)";

/**
 * The real driver, except that units of work with a statement matching `matches` fail as a dropped connection
 * does: before their statements reach the database ("before"), or once the database has committed them
 * ("after", the answer lost on the way back). Fails the next `count` such units.
 */
function dropConnections(driver: SqlDriver, matches: (sql: string) => boolean, count: number, when: "before" | "after" = "before") {
  let left = count;
  const { transaction, read } = driver;
  const faulty = <T>(run: typeof transaction, work: () => Work<T>): Promise<T> => {
    let matched = false;
    const watched = function* (): Work<T> {
      const inner = work();
      let step = inner.next();
      while (!step.done) {
        if (matches(step.value.sql) && left > 0) {
          matched = true;
          if (when === "before") {
            left--;
            inner.return(undefined as T);
            throw new Error(DROPPED);
          }
        }
        step = inner.next(yield step.value);
      }
      return step.value;
    };
    return run.call(driver, watched).then((value) => {
      if (matched && when === "after" && left > 0) {
        left--;
        throw new Error(DROPPED);
      }
      return value as T;
    });
  };
  driver.transaction = <T>(work: () => Work<T>) => faulty(transaction, work);
  driver.read = <T>(work: () => Work<T>) => faulty(read, work);
  return { left: () => left, restore: () => Object.assign(driver, { transaction, read }) };
}

const readsTheOrder = (sql: string) => /SELECT "payload"[^;]* FROM "Order"/.test(sql);
const claims = (sql: string) => sql.includes(`SET "status" = 'in_flight'`);

describe.each(databaseKinds)("database faults while delivering, on %s", (kind) => {
  let relay: Relay;
  afterEach(async () => relay?.close());

  const context = (now: () => Date, overrides: Partial<DeliverContext> = {}): DeliverContext => ({
    db: relay.db,
    owner: "w1",
    now,
    random: () => 0.5,
    retry: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: 2_000,
    // A quarter of it (100 ms) is how long an attempt keeps retrying the database before it hands the delivery back.
    leaseMs: 400,
    shopConfig: (shop) => cachedShopConfig(relay.db, shop),
    ...overrides,
  });
  const claimOne = async (now: Date): Promise<ClaimedDelivery> => {
    const [claimed] = await claimDueDeliveries(relay.db, { owner: "w1", limit: 1, perTarget: 1, leaseMs: 60_000, now });
    expect(claimed).toBeDefined();
    return claimed!;
  };

  it("retries a delivery whose order could not be read like a network 5xx, and delivers it once the database answers", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1, { attributed: false })); // Refersion only
    const t0 = new Date();
    const faults = dropConnections(driverFor(relay.db), readsTheOrder, 1_000);
    expect(await deliverClaimed(context(() => t0), await claimOne(t0))).toBe("retry");
    faults.restore();

    let d = await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });
    expect([d.status, d.attempts, d.leaseOwner, d.completedAt]).toEqual(["pending", 1, null, null]);
    // The retry policy's first step, exactly as after a 5xx: 30 s, half fixed and half random (0.5).
    expect(d.nextAttemptAt.getTime() - t0.getTime()).toBe(backoffMs(DEFAULT_RETRY_POLICY, 1, () => 0.5));
    expect(d.reason).toBe(`retrying: could not read the order: ${DROPPED}`);
    expect(relay.sims.received("refersion")).toHaveLength(0);

    const t1 = d.nextAttemptAt;
    expect(await deliverClaimed(context(() => t1), await claimOne(t1))).toBe("succeeded");
    d = await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });
    expect([d.status, d.attempts]).toEqual(["succeeded", 2]);
    expect(relay.sims.accepted("refersion")).toHaveLength(1);
  });

  it("rides through a short blip without waiting for the backoff", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1, { attributed: false }));
    const t0 = new Date();
    const faults = dropConnections(driverFor(relay.db), readsTheOrder, 1);
    expect(await deliverClaimed(context(() => t0), await claimOne(t0))).toBe("succeeded");
    expect(faults.left()).toBe(0);
    expect(relay.sims.accepted("refersion")).toHaveLength(1);
  });

  it("retries a delivery whose shop settings could not be read", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1, { attributed: false }));
    const t0 = new Date();
    const unreadable = context(() => t0, { shopConfig: () => Promise.reject(new Error(DROPPED)) });
    expect(await deliverClaimed(unreadable, await claimOne(t0))).toBe("retry");
    const d = await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });
    expect([d.status, d.attempts]).toEqual(["pending", 1]);
    expect(d.reason).toMatch(/^retrying: could not read the shop's settings: Connection terminated/);
  });

  it("gives up on the retry policy's window, as for a network that keeps failing", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1, { attributed: false }));
    const t0 = new Date();
    await relay.db.delivery.updateMany({ data: { firstAttemptAt: new Date(t0.getTime() - 72 * 3_600_000), attempts: 20 } });
    const faults = dropConnections(driverFor(relay.db), readsTheOrder, 1_000);
    expect(await deliverClaimed(context(() => t0), await claimOne(t0))).toBe("failed");
    faults.restore();
    const d = await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });
    expect(d.status).toBe("failed");
    expect(d.reason).toMatch(/^gave up after 21 attempts over 72 hours: could not read the order: /);
  });

  it("still fails for good what cannot succeed on a retry: a recorded order that cannot be mapped", async () => {
    relay = await startRelay(kind);
    await relay.post("orders/paid", attributedOrder(1, { attributed: false }));
    await relay.db.order.updateMany({ data: { payload: "{not json" } });
    const t0 = new Date();
    expect(await deliverClaimed(context(() => t0), await claimOne(t0))).toBe("failed");
    const d = await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });
    expect(d.status).toBe("failed");
    expect(d.reason).toMatch(/^could not prepare the request: /);
  });

  it("keeps the worker's loop running with growing pauses while claims fail, then delivers everything once", async () => {
    relay = await startRelay(kind);
    for (let i = 1; i <= 3; i++) await relay.post("orders/paid", attributedOrder(i));
    const pauses: unknown[] = [];
    const logger: WorkerLogger = { info() {}, warn() {}, error: (message, fields) => message === "worker loop error" && pauses.push(fields?.retryInMs) };
    const faults = dropConnections(driverFor(relay.db), claims, 4);
    const worker = relay.worker({ logger, pollIntervalMs: 10 });
    await worker.idle();
    expect(faults.left()).toBe(0);
    expect(pauses).toEqual([100, 200, 400, 800]);
    const deliveries = await relay.db.delivery.findMany();
    expect(deliveries.map((d) => d.status)).toEqual(Array(3 * relay.sims.networks.length).fill("succeeded"));
    for (const network of ["refersion", "retrack", "flexoffers"] as const) expect(relay.sims.accepted(network)).toHaveLength(3);
  });

  // Both kinds of claim, told apart by their statements: the paced one (app/pipeline/claim-paced.server.ts, Awin's)
  // names the rows it takes one by one, and takes the shop's request slot in the same transaction.
  const pacedClaim = (sql: string) => claims(sql) && sql.includes('"id" IN (?');
  const ordinaryClaim = (sql: string) => claims(sql) && !sql.includes('"id" IN (?');
  it.each([
    ["an ordinary claim's deliveries, and the paced ones claimed just before", ordinaryClaim],
    ["a paced claim's deliveries (Awin's) and the request slot it took", pacedClaim],
  ])("when a claim's answer was lost, hands back at once (not after the lease) %s", async (_claim, matches) => {
    relay = await startRelay(kind);
    for (let i = 1; i <= 3; i++) await relay.post("orders/paid", attributedOrder(i));
    const faults = dropConnections(driverFor(relay.db), matches, 1, "after");
    const worker = relay.worker({ leaseMs: 120_000, pollIntervalMs: 10 });
    await worker.idle();
    expect(faults.left()).toBe(0);
    const deliveries = await relay.db.delivery.findMany();
    expect(deliveries.map((d) => d.status)).toEqual(Array(3 * relay.sims.networks.length).fill("succeeded"));
    expect(relay.sims.networks).toContain("awin");
    // Orders, not requests: Awin's three travel in one.
    for (const network of relay.sims.networks) {
      expect(relay.sims.accepted(network).flatMap((request) => relay.sims.orderReferences(request)).sort(), network).toEqual(["1001", "1002", "1003"]);
    }
  });
});

// The delivery worker: claims due deliveries under a lease and works on them with bounded concurrency, overall
// and per (shop, network). Runs inside the app's process (the serve command) or alone (`affiliate-relay worker`);
// any number of workers can share one PostgreSQL database.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "../db/client.server.ts";
import { claimDueDeliveries, newLeaseOwner, recoverExpiredLeases, releaseClaimOf, releaseClaims, type ClaimedDelivery } from "./claim.server.ts";
import { claimPacedDeliveries, pacedNetworks, releasePacedClaimOf } from "./claim-paced.server.ts";
import { AttemptNotRecorded, deliverBatch, deliverClaimed, type DeliverOutcome } from "./deliver.server.ts";
import { networks } from "../networks/registry.ts";
import { resumePausedDeliveries } from "./pause.server.ts";
import { releaseWaitingReversals } from "./release-waiting.server.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.ts";
import type { ShopConfig } from "../settings/store.server.ts";
import { reconcileAllShops } from "./reconcile/reconcile.server.ts";
import { pruneWebhookReceipts, receiptRetentionMs } from "./prune-receipts.server.ts";
import { attemptBodyRetentionMs, pruneAttemptBodies } from "./prune-attempt-bodies.server.ts";
import { resyncOutdatedStorefronts } from "../storefront/resync.server.ts";
import { fillSettledDays } from "../admin/accuracy.server.ts";
import { cachedShopConfig } from "./settings-cache.server.ts";
import { deliveryFields, fieldLogger } from "../observability/log.server.ts";
import { pipelineMetrics as metrics } from "../observability/metrics.server.ts";

export interface WorkerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface WorkerOptions {
  db: Db;
  workerId?: string;
  /** Deliveries in progress at once in this worker. */
  concurrency?: number;
  /** Deliveries in progress at once per (shop, network) in this worker. */
  perTargetConcurrency?: number;
  /** How often to look for due work when there was none. */
  pollIntervalMs?: number;
  /** How long a claim holds; must be well above requestTimeoutMs (a lease that runs out mid-request lets another worker send again). */
  leaseMs?: number;
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * Reconciliation with the Admin API (orders the webhooks missed): how often and how far back. On by default
   * (every 15 minutes, the last 6 hours); false turns it off.
   */
  reconcile?: { everyMs: number; lookbackMs: number } | false;
  /**
   * Deleting webhook receipts Shopify can no longer retry (app/pipeline/prune-receipts.server.ts): how often and
   * how old. On by default (hourly, WEBHOOK_RECEIPT_RETENTION_DAYS or 7 days); false turns it off.
   */
  pruneReceipts?: { everyMs: number; retentionMs: number } | false;
  /**
   * Nulling attempts' request and response bodies past their retention (app/pipeline/prune-attempt-bodies.server.ts).
   * On by default (hourly, ATTEMPT_BODY_RETENTION_DAYS or 30 days); false turns it off.
   */
  pruneAttemptBodies?: { everyMs: number; retentionMs: number } | false;
  /**
   * Re-syncing the storefront configuration of shops whose metafield holds an older format
   * (app/storefront/resync.server.ts): how often. On by default (at start, then every 10 minutes); false turns it off.
   */
  storefrontResync?: { everyMs: number } | false;
  /**
   * The share (0..1) of `concurrency` the worker may have claimed or in progress now, asked before each claim.
   * The serving process passes its event-loop pacing (app/server/event-loop-pacing.server.ts), so that a flash
   * sale's webhooks are answered first and the deliveries catch up after. Default: always all of it.
   */
  share?: () => number;
  /**
   * Storing the accuracy page's settled days ahead of a merchant's visit (fillSettledDays in
   * app/admin/accuracy.server.ts), for every installed shop. On by default (hourly); false turns it off.
   */
  accuracyDays?: { everyMs: number } | false;
  /** Other periodic jobs that run beside the deliveries; failures are logged, never fatal. */
  periodic?: Array<{ name: string; everyMs: number; run: () => Promise<void> }>;
  now?: () => Date;
  random?: () => number;
  logger?: WorkerLogger;
}

/** How long stop() waits for a periodic job that is still running. */
const JOB_STOP_WAIT_MS = 5_000;

export interface Worker {
  readonly id: string;
  /** Graceful: stops claiming, lets in-flight attempts finish, hands claimed but unstarted work back. */
  stop(): Promise<void>;
  /**
   * Resolves when no delivery is due or in progress in this worker (tests, the demo). A delivery waiting for its
   * network's next request slot (pacing) is not due yet.
   */
  idle(): Promise<void>;
  stats(): Record<DeliverOutcome, number>;
}

/** JSON lines through the app's logger (app/observability/log.server.ts). */
export const defaultWorkerLogger: WorkerLogger = fieldLogger("worker");

const MAINTENANCE_MS = 1_000;
const RESUME_MS = 5_000;
/** The longest pause between tries while the database keeps failing. */
const MAX_ERROR_BACKOFF_MS = 5_000;

export function startWorker(options: WorkerOptions): Worker {
  const db = options.db;
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const share = options.share ?? (() => 1);
  const perTarget = Math.max(1, options.perTargetConcurrency ?? 8);
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const leaseMs = Math.max(options.leaseMs ?? 120_000, requestTimeoutMs * 2);
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const logger = options.logger ?? defaultWorkerLogger;
  const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const reconcile = options.reconcile === undefined ? { everyMs: 15 * 60_000, lookbackMs: 6 * 3_600_000 } : options.reconcile;
  const periodic = [...(options.periodic ?? [])];
  if (reconcile) {
    periodic.push({
      name: "reconciliation",
      everyMs: reconcile.everyMs,
      run: () =>
        reconcileAllShops(db, {
          lookbackMs: reconcile.lookbackMs,
          onShop: (result) => {
            metrics.reconciledOrders(result.recorded.length);
            if (result.recorded.length) logger.warn("recorded orders the webhooks missed", { shop: result.shop, orders: result.recorded.length });
            for (const bad of result.unreadable) logger.error("an order read from the Admin API could not be read", { shop: result.shop, order: bad.order, reason: bad.reason });
            for (const bad of result.unrecorded) logger.error("an order found by reconciliation could not be recorded", { shop: result.shop, order: bad.order, reason: bad.reason });
            if (result.incomplete) logger.warn("reconciliation stopped early; the next run goes on", { shop: result.shop, reason: result.incomplete });
          },
          onError: (shop, error) => {
            metrics.reconciliationShopFailed();
            logger.warn("reconciliation failed for a shop", { shop, error: error instanceof Error ? error.message : String(error) });
          },
        }),
    });
  }

  // Read here so that a malformed WEBHOOK_RECEIPT_RETENTION_DAYS or ATTEMPT_BODY_RETENTION_DAYS is a start-up error.
  const prune = options.pruneReceipts === undefined ? { everyMs: 60 * 60_000, retentionMs: receiptRetentionMs() } : options.pruneReceipts;
  if (prune) {
    periodic.push({
      name: "webhook receipt pruning",
      everyMs: prune.everyMs,
      run: async () => {
        const pruned = await pruneWebhookReceipts(db, { now: now(), retentionMs: prune.retentionMs });
        if (pruned) logger.info("pruned webhook receipts Shopify can no longer retry", { count: pruned });
      },
    });
  }
  const pruneBodies =
    options.pruneAttemptBodies === undefined ? { everyMs: 60 * 60_000, retentionMs: attemptBodyRetentionMs() } : options.pruneAttemptBodies;
  if (pruneBodies) {
    periodic.push({
      name: "attempt body pruning",
      everyMs: pruneBodies.everyMs,
      run: async () => {
        const pruned = await pruneAttemptBodies(db, { now: now(), retentionMs: pruneBodies.retentionMs });
        if (pruned) logger.info("pruned the request and response bodies of old attempts", { count: pruned });
      },
    });
  }

  const resync = options.storefrontResync === undefined ? { everyMs: 10 * 60_000 } : options.storefrontResync;
  if (resync) {
    periodic.push({
      name: "storefront configuration re-sync",
      everyMs: resync.everyMs,
      run: async () => {
        const result = await resyncOutdatedStorefronts(db);
        if (result.synced.length) logger.info("re-synced storefront configurations written in an older format", { shops: result.synced.length });
        for (const bad of result.failed) logger.warn("a storefront configuration could not be re-synced; the next run tries again", { ...bad });
      },
    });
  }

  const accuracy = options.accuracyDays === undefined ? { everyMs: 60 * 60_000 } : options.accuracyDays;
  if (accuracy) {
    periodic.push({
      name: "accuracy days",
      everyMs: accuracy.everyMs,
      run: async () => {
        const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true } });
        let filled = 0;
        for (const { domain } of shops) {
          if (stopping) break;
          filled += await fillSettledDays(db, domain, networks, now());
        }
        if (filled) logger.info("stored settled days of the accuracy page", { days: filled, shops: shops.length });
      },
    });
  }

  // A shop's settings are checked for changes once per claimed batch, not once per delivery: at hundreds of
  // deliveries a second that is most of the reads. A change shows from the next batch on (well under a second).
  let batchConfigs = new Map<string, Promise<ShopConfig | null>>();
  const shopConfig = (shop: string) => {
    let config = batchConfigs.get(shop);
    if (!config) {
      config = cachedShopConfig(db, shop);
      config.catch(() => batchConfigs.delete(shop));
      batchConfigs.set(shop, config);
    }
    return config;
  };
  const ctx = { db, owner: id, now, random, retry, requestTimeoutMs, leaseMs, shopConfig };
  // Networks with a rate limit or batches (app/networks/types.ts DeliveryPacing) are claimed a request at a time.
  const paced = pacedNetworks(networks);
  const pacedIds = paced.map((p) => p.network);

  // target -> claimed, not started: each entry is one request's worth (one delivery, or a paced claim's batch).
  const queues = new Map<string, ClaimedDelivery[][]>();
  const activeByTarget = new Map<string, number>();
  let active = 0;
  // Counts finished attempts: a claim that ran while one finished may have missed what that one released.
  let settled = 0;
  let queued = 0;
  let stopping = false;
  let wake: (() => void) | null = null;
  const counts: Record<DeliverOutcome, number> = { succeeded: 0, retry: 0, failed: 0, skipped: 0, paused: 0, waiting: 0, lost: 0 };
  // Waiters resolve only after a claim that started after they asked came back empty.
  const idleWaiters: Array<{ after: number; resolve: () => void }> = [];
  let cycle = 0;
  let lastClaimEmpty = false;
  let lastClaimAt = 0;
  const claimBatch = Math.max(1, Math.floor(concurrency / 4));
  const lastRun = new Map<string, number>();
  const runningJobs = new Map<string, Promise<void>>();
  // Consecutive failed turns of the loop (the database is down or dropping connections): each waits longer.
  let failures = 0;
  // Claims whose statement failed without an answer: it may have committed, so their rows are handed back.
  const doubtfulClaims: Array<(now: Date) => Promise<number>> = [];

  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  // Sent, answered, and still unrecorded after retrying for a while: say so plainly, since the delivery goes out
  // again once its lease runs out.
  // Sent, answered, and still unrecorded after retrying for a while: say so plainly, since the delivery goes out
  // again once its lease runs out.
  function notRecorded(error: AttemptNotRecorded, delivery: ClaimedDelivery) {
    logger.error("ATTEMPT SENT BUT NOT RECORDED: it will be sent again after its lease", {
      ...deliveryFields(delivery),
      delivery: error.deliveryId,
      network: error.network,
      outcome: error.outcome,
      error: error.message,
    });
  }


  function dispatch() {
    for (const [target, queue] of queues) {
      while (queue.length && (activeByTarget.get(target) ?? 0) < perTarget && !stopping) {
        const unit = queue.shift()!;
        queued--;
        active++;
        activeByTarget.set(target, (activeByTarget.get(target) ?? 0) + 1);
        const delivery = unit[0]!;
        const attempt = unit.length === 1 ? deliverClaimed(ctx, delivery).then((outcome) => ({ outcomes: [outcome], unrecorded: [] })) : deliverBatch(ctx, unit);
        void attempt
          .then(({ outcomes, unrecorded }) => {
            outcomes.forEach((outcome, index) => {
              counts[outcome]++;
              metrics.delivered(outcome);
              logger.info("delivery outcome", { ...deliveryFields(unit[index] ?? delivery), outcome });
              // Keys just rejected: the batch's other deliveries for this shop must see the new status.
              if (outcome === "paused") batchConfigs.delete(delivery.shop);
            });
            if (outcomes.includes("lost")) logger.warn("lease lost: the attempt was not sent, or its result belongs to a newer claim", deliveryFields(delivery));
            for (const error of unrecorded) notRecorded(error, delivery);
          })
          .catch((error: unknown) => {
            if (error instanceof AttemptNotRecorded) return notRecorded(error, delivery);
            // The lease runs out and another worker retries it; the database may be briefly unreachable.
            logger.error("delivery attempt crashed", { ...deliveryFields(delivery), error: error instanceof Error ? error.message : String(error) });
          })
          .finally(() => {
            active--;
            settled++;
            activeByTarget.set(target, (activeByTarget.get(target) ?? 1) - 1);
            poke();
          });
      }
      if (!queue.length) queues.delete(target);
    }
  }

  async function maintenance() {
    const t = Date.now();
    if (t - (lastRun.get("recover") ?? 0) >= MAINTENANCE_MS) {
      lastRun.set("recover", t);
      const recovered = await recoverExpiredLeases(db, now());
      metrics.leasesRecovered(recovered);
      if (recovered) logger.warn("took up deliveries whose worker stopped", { count: recovered });
    }
    if (t - (lastRun.get("resume") ?? 0) >= RESUME_MS) {
      lastRun.set("resume", t);
      const resumed = await resumePausedDeliveries(db, now());
      if (resumed) logger.info("resumed paused deliveries (credentials changed)", { count: resumed });
      const swept = await releaseWaitingReversals(db, now());
      if (swept.released || swept.skipped) logger.info("released reversals whose conversion had settled", { ...swept });
    }
    for (const job of periodic) {
      if (t - (lastRun.get(job.name) ?? 0) < job.everyMs || runningJobs.has(job.name)) continue;
      lastRun.set(job.name, t);
      const run = job
        .run()
        .then(() => metrics.jobFinished(job.name, "ok"))
        .catch((error: unknown) => {
          metrics.jobFinished(job.name, "error");
          logger.error(`${job.name} failed`, { error: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => runningJobs.delete(job.name));
      runningJobs.set(job.name, run);
    }
  }

  async function handBackDoubtfulClaims() {
    while (doubtfulClaims.length) {
      const released = await doubtfulClaims[0]!(now());
      doubtfulClaims.shift();
      if (released) logger.warn("handed back deliveries from a claim whose answer was lost", { count: released });
    }
  }

  async function loop() {
    while (!stopping) {
      const thisCycle = ++cycle;
      const settledBefore = settled;
      let claimedFull = false;
      let failed = false;
      try {
        await handBackDoubtfulClaims();
        await maintenance();
        const allowed = Math.floor(concurrency * Math.min(1, Math.max(0, share())));
        const free = allowed - active - queued;
        // Claim in batches: a claim costs one ranked scan of the due rows, so a single freed slot waits for a few
        // more (or for the poll) unless the worker has run dry.
        if (free >= claimBatch || (free > 0 && active + queued === 0) || (free > 0 && Date.now() - lastClaimAt >= pollIntervalMs)) {
          lastClaimAt = Date.now();
          const pacedClaim = { owner: id, leaseOwner: newLeaseOwner(id), limit: free, leaseMs, now: now(), paced };
          const units = await claimPacedDeliveries(db, pacedClaim).catch((error: unknown) => {
            doubtfulClaims.push((at) => releasePacedClaimOf(db, pacedClaim, at));
            throw error;
          });
          const leaseOwner = newLeaseOwner(id);
          const claimed = await claimDueDeliveries(db, { owner: id, leaseOwner, limit: free - units.length, perTarget, leaseMs, now: now(), exceptNetworks: pacedIds }).catch(
            (error: unknown) => {
              // The paced units of this turn are not queued yet either: they go back with it.
              doubtfulClaims.push((at) => releaseClaimOf(db, leaseOwner, at), (at) => releasePacedClaimOf(db, pacedClaim, at));
              throw error;
            },
          );
          units.push(...claimed.map((delivery) => [delivery]));
          if (units.length) batchConfigs = new Map();
          claimedFull = units.length === free;
          lastClaimEmpty = units.length === 0;
          for (const unit of units) {
            const target = `${unit[0]!.shop} ${unit[0]!.network}`;
            const queue = queues.get(target) ?? [];
            queue.push(unit);
            queues.set(target, queue);
            queued++;
          }
        }
        dispatch();
      } catch (error) {
        // The database failing is a transient fault: nothing is marked failed for it, the loop tries again later.
        failed = true;
        failures++;
        logger.error("worker loop error", { error: error instanceof Error ? error.message : String(error), retryInMs: errorBackoffMs() });
        lastClaimEmpty = false;
      }
      if (!failed && failures) {
        logger.info("the database answers again", { afterFailures: failures });
        failures = 0;
      }
      if (lastClaimEmpty && active === 0 && queued === 0 && settled === settledBefore) {
        for (const waiter of idleWaiters.filter((w) => w.after < thisCycle)) {
          idleWaiters.splice(idleWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      if (stopping) break;
      // Claim again at once after a full batch when slots are free; otherwise sleep until a slot frees or the poll.
      if (claimedFull && concurrency - active - queued > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, failed ? errorBackoffMs() : pollIntervalMs);
        // While the database fails, only stop() cuts the backoff short (not a finished attempt).
        const arm = () => {
          wake = () => {
            if (failed && !stopping) return arm();
            clearTimeout(timer);
            resolve();
          };
        };
        arm();
      });
    }
  }

  function errorBackoffMs() {
    return Math.min(MAX_ERROR_BACKOFF_MS, Math.max(pollIntervalMs, 100) * 2 ** Math.min(failures - 1, 10));
  }

  logger.info("started", { worker: id, concurrency, perTarget, leaseMs });
  const running = loop();

  return {
    id,
    async stop() {
      if (stopping) return running;
      stopping = true;
      poke();
      await running;
      const unstarted = [...queues.values()].flat(2);
      queues.clear();
      queued = 0;
      let released = 0;
      try {
        released = await releaseClaims(db, unstarted, now());
        await handBackDoubtfulClaims();
      } catch (error) {
        // Their leases run out and another worker takes them up; nothing of them was sent.
        logger.error("could not hand back unstarted deliveries", { count: unstarted.length, error: error instanceof Error ? error.message : String(error) });
      }
      while (active > 0) await new Promise<void>((resolve) => (wake = resolve));
      // A periodic job still running would go on against a database its caller closes next: wait for it, a
      // little (a reconciliation can take minutes; it resumes from Shopify on the next start).
      if (runningJobs.size) {
        const names = [...runningJobs.keys()];
        const settled = await Promise.race([Promise.allSettled(runningJobs.values()).then(() => true), new Promise<false>((resolve) => setTimeout(resolve, JOB_STOP_WAIT_MS, false).unref())]);
        if (!settled) logger.warn("stopped while periodic jobs were still running", { jobs: names.join(", ") });
      }
      logger.info("stopped", { worker: id, released, ...counts });
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push({ after: cycle, resolve });
        poke();
      });
    },
    stats: () => ({ ...counts }),
  };
}

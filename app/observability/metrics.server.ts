// Every Prometheus metric of the app, in one registry. Counters and histograms are fed by small calls from the
// pipeline (the webhook routes, app/pipeline/deliver.server.ts, app/pipeline/worker.server.ts); the outbox gauges
// are read from the database when scraped (app/observability/outbox-snapshot.server.ts), so they are the same
// figures in every process that serves /metrics: aggregate them with max(), not sum().
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "../db/client.server.ts";
import { errorText, log } from "./log.server.ts";
import { OPEN_STATUSES, readOutboxSnapshot, type OutboxSnapshot } from "./outbox-snapshot.server.ts";

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const webhooksReceived = new Counter({
  name: "affiliate_relay_webhooks_received_total",
  help: "Webhooks answered by the app's webhook routes, by the route's topic and the HTTP status answered.",
  labelNames: ["topic", "status"] as const,
  registers: [registry],
});

export const webhookDuration = new Histogram({
  name: "affiliate_relay_webhook_ingest_duration_seconds",
  help: "Time from a webhook reaching its route to its answer (verification, recording in the outbox), by topic.",
  labelNames: ["topic"] as const,
  buckets: SECONDS,
  registers: [registry],
});

export const deliveryAttempts = new Counter({
  name: "affiliate_relay_delivery_attempts_total",
  help: "Requests sent to a network, by network and outcome (success, retry, permanent, credentials_rejected).",
  labelNames: ["network", "outcome"] as const,
  registers: [registry],
});

export const attemptDuration = new Histogram({
  name: "affiliate_relay_delivery_attempt_duration_seconds",
  help: "How long a network took to answer a delivery attempt (or to fail), by network.",
  labelNames: ["network"] as const,
  buckets: SECONDS,
  registers: [registry],
});

export const leasesRecovered = new Counter({
  name: "affiliate_relay_leases_recovered_total",
  help: "Deliveries taken up again after their lease ran out (their worker stopped or was killed).",
  registers: [registry],
});

export const leasesLost = new Counter({
  name: "affiliate_relay_leases_lost_total",
  help: "Claims this process found already gone when it came to send or record (the lease had run out).",
  registers: [registry],
});

export const jobRuns = new Counter({
  name: "affiliate_relay_job_runs_total",
  help: "Runs of the worker's periodic jobs (reconciliation, webhook receipt pruning, attempt body pruning), by job and result.",
  labelNames: ["job", "result"] as const,
  registers: [registry],
});

export const reconciledOrders = new Counter({
  name: "affiliate_relay_reconciliation_orders_recorded_total",
  help: "Paid orders that reconciliation found in the Admin API but not in the outbox, and recorded.",
  registers: [registry],
});

export const reconciliationShopFailures = new Counter({
  name: "affiliate_relay_reconciliation_shop_failures_total",
  help: "Shops whose reconciliation failed (the run went on with the other shops).",
  registers: [registry],
});

// ---- read from the database at scrape time ----

let source: Db | undefined;
let snapshot: Promise<OutboxSnapshot | null> | undefined;

/** The database the outbox gauges are read from when scraped (the serving or worker process's own client). */
export function watchOutbox(db: Db | undefined): void {
  source = db;
}

// Every outbox gauge is collected in the same scrape; they share one query.
function currentSnapshot(): Promise<OutboxSnapshot | null> {
  if (!source) return Promise.resolve(null);
  snapshot ??= readOutboxSnapshot(source, new Date())
    .catch((error: unknown) => {
      log().warn({ component: "metrics", error: errorText(error) }, "could not read the outbox for /metrics");
      return null;
    })
    .finally(() => setImmediate(() => (snapshot = undefined)));
  return snapshot;
}

new Gauge({
  name: "affiliate_relay_outbox_deliveries",
  help: `Deliveries not finished, by status (${OPEN_STATUSES.join(", ")}) and network.`,
  labelNames: ["status", "network"] as const,
  registers: [registry],
  async collect() {
    const outbox = await currentSnapshot();
    this.reset();
    for (const row of outbox?.groups ?? []) this.set({ status: row.status, network: row.network }, row.count);
  },
});

new Gauge({
  name: "affiliate_relay_outbox_oldest_pending_age_seconds",
  help: "Age of the oldest pending delivery (since it was recorded), by network; absent when none is pending.",
  labelNames: ["network"] as const,
  registers: [registry],
  async collect() {
    const outbox = await currentSnapshot();
    this.reset();
    for (const row of outbox?.groups ?? []) if (row.oldestCreatedAt) this.set({ network: row.network }, ageSeconds(outbox!.at, row.oldestCreatedAt));
  },
});

new Gauge({
  name: "affiliate_relay_outbox_due_lag_seconds",
  help: "How long the longest-due pending delivery has been due without being claimed, by network (0: none due).",
  labelNames: ["network"] as const,
  registers: [registry],
  async collect() {
    const outbox = await currentSnapshot();
    this.reset();
    for (const row of outbox?.groups ?? []) if (row.status === "pending") this.set({ network: row.network }, row.oldestDueAt ? ageSeconds(outbox!.at, row.oldestDueAt) : 0);
  },
});

new Gauge({
  name: "affiliate_relay_leases_held",
  help: "Deliveries in flight under a worker's lease, by network.",
  labelNames: ["network"] as const,
  registers: [registry],
  async collect() {
    const outbox = await currentSnapshot();
    this.reset();
    for (const row of outbox?.groups ?? []) if (row.status === "in_flight") this.set({ network: row.network }, row.count);
  },
});

new Gauge({
  name: "affiliate_relay_leases_expired",
  help: "Deliveries in flight whose lease has run out and that no worker has taken up yet, by network.",
  labelNames: ["network"] as const,
  registers: [registry],
  async collect() {
    const outbox = await currentSnapshot();
    this.reset();
    for (const row of outbox?.groups ?? []) if (row.status === "in_flight") this.set({ network: row.network }, row.expiredLeases);
  },
});

const ageSeconds = (now: Date, then: Date) => Math.max(0, (now.getTime() - then.getTime()) / 1000);

/** The registry in Prometheus' text format. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

// ---- the pipeline's hooks: one call each, named for what happened ----

/** A webhook route answered `status` after `seconds`. */
export function webhookAnswered(topic: string, status: number, seconds: number): void {
  webhooksReceived.inc({ topic, status: String(status) });
  webhookDuration.observe({ topic }, seconds);
}

/** What the worker and app/pipeline/deliver.server.ts report. */
export const pipelineMetrics = {
  /** A request reached (or failed to reach) its network; `outcome` is the attempt's recorded outcome. */
  attemptMade(network: string, outcome: string, durationMs: number): void {
    deliveryAttempts.inc({ network, outcome });
    attemptDuration.observe({ network }, durationMs / 1000);
  },
  /** The worker finished with a claimed delivery (app/pipeline/deliver.server.ts's DeliverOutcome). */
  delivered(outcome: string): void {
    if (outcome === "lost") leasesLost.inc();
  },
  leasesRecovered(count: number): void {
    if (count > 0) leasesRecovered.inc(count);
  },
  jobFinished(job: string, result: "ok" | "error"): void {
    jobRuns.inc({ job, result });
  },
  reconciledOrders(count: number): void {
    if (count > 0) reconciledOrders.inc(count);
  },
  reconciliationShopFailed(): void {
    reconciliationShopFailures.inc();
  },
};

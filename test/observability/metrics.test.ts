// /metrics as operators scrape it: signed webhooks posted to the real production server (`npm start`), its
// in-process worker delivering to the loopback network simulators, then the figures read back and compared with
// what the clients were answered and with the database. Then a standalone `affiliate-relay worker` with its
// METRICS_PORT listener, the same way.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { OPEN_STATUSES } from "../../app/observability/outbox-snapshot.server.ts";
import { ingestPaidOrder } from "../../app/pipeline/ingest.server.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { recordStorefrontSynced } from "../../app/storefront/resync.server.ts";
import { ensureAppBuild } from "../../devkit/admin/app-build.ts";
import { serveApp, TEST_ENV, type ServedApp } from "../../devkit/admin/serve.ts";
import { adminNodeFromRest, startAdminApi, type AdminApiStandIn } from "../pipeline/support/admin-api.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../devkit/simulators/network-simulators.ts";
import { databaseKinds } from "../support/databases.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { migratedDatabaseUrl } from "./support/migrated.ts";
import { parsePrometheus, series, type Sample } from "./support/prometheus.ts";

const root = path.resolve(import.meta.dirname, "../..");
const SHOP = "metrics-shop.myshopify.com";
const TOKEN = "metrics-token-for-tests-0123456789";
const HOUR = 3_600_000;

function settings(sims: NetworkSimulators) {
  return {
    currency: "shop",
    sendTestOrders: false,
    networks: {
      refersion: { ...sims.credentials.refersion, enabled: true },
      retrack: { enabled: true, apiToken: sims.credentials.retrack.apiToken, eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" },
      flexoffers: { enabled: true, advertiserId: sims.credentials.flexoffers.advertiserId, commissionId: "" },
      // Switched off: the dead worker's Awin delivery below is taken up and then skipped. A shop with no Awin
      // connection at all would leave it pending for good, since paced networks are claimed through their
      // connection's request slot (app/pipeline/claim-paced.server.ts), and nothing would ever settle.
      awin: { enabled: false },
    },
  };
}

/**
 * Nothing in flight and nothing due: every figure stands still until the next retry, an hour away. Gives up well
 * within the test's own timeout and names what is still moving, so a delivery no worker takes shows as itself.
 */
async function settled(db: Db): Promise<void> {
  const moving = () =>
    db.delivery
      .findMany({ where: { OR: [{ status: "in_flight" }, { status: "pending", nextAttemptAt: { lte: new Date() } }] }, select: { network: true, kind: true, status: true } })
      .then((rows) => rows.map((row) => `${row.network} ${row.kind} ${row.status}`));
  await expect.poll(moving, { timeout: 15_000, interval: 100 }).toEqual([]);
}

async function attemptsInDb(db: Db): Promise<Record<string, number>> {
  const rows = await db.deliveryAttempt.findMany({ select: { outcome: true, delivery: { select: { network: true } } } });
  const out: Record<string, number> = {};
  for (const row of rows) {
    const key = `network=${row.delivery.network},outcome=${row.outcome}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

async function openDeliveriesInDb(db: Db): Promise<Record<string, number>> {
  const groups = await db.delivery.groupBy({ by: ["status", "network"], where: { status: { in: [...OPEN_STATUSES] } }, _count: { _all: true } });
  return Object.fromEntries(groups.map((g) => [`network=${g.network},status=${g.status}`, g._count._all]));
}

const perNetwork = (counts: Record<string, number>) => {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts)) {
    const network = /network=([^,]+)/.exec(key)![1]!;
    out[`network=${network}`] = (out[`network=${network}`] ?? 0) + n;
  }
  return out;
};

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe.each(databaseKinds)("/metrics on %s", (kind) => {
  let url: string;
  let db: Db;
  let sims: NetworkSimulators;
  let app: ServedApp;
  let worker: ChildProcess | undefined;
  let oneHourOld: Date;
  let admin: AdminApiStandIn;

  beforeAll(async () => {
    await ensureAppBuild();
    url = await migratedDatabaseUrl(kind);
    db = createDb(url);
    sims = await startNetworkSimulators({ retryAfterSeconds: 3600 });
    await saveSettingsFile(db, SHOP, settings(sims));
    // As the admin's save records it (app/settings/save-and-sync.server.ts): the storefront configuration is
    // current, so the worker's re-sync has nothing to send and the Admin API sees reconciliation alone.
    await recordStorefrontSynced(db, SHOP);

    // A delivery whose worker died holding it (awin is switched off for the shop, so it is then skipped), and
    // a reversal recorded an hour ago that is not due for a day.
    const dead = await db.order.create({ data: { shop: SHOP, shopifyOrderId: "7000001", name: "#7001", payload: "{}" } });
    await db.delivery.create({
      data: { shop: SHOP, orderId: dead.id, network: "awin", kind: "conversion", status: "in_flight", leaseOwner: "dead-worker:1:x", leaseExpiresAt: new Date(Date.now() - 60_000) },
    });
    oneHourOld = new Date(Date.now() - HOUR);
    const old = await db.order.create({ data: { shop: SHOP, shopifyOrderId: "7000002", name: "#7002", payload: "{}" } });
    await db.delivery.create({
      data: { shop: SHOP, orderId: old.id, network: "refersion", kind: "cancellation", nextAttemptAt: new Date(Date.now() + 24 * HOUR), createdAt: oneHourOld },
    });

    // An order no webhook brought: the worker's reconciliation, which runs as it starts, finds it.
    const accessToken = "shpat_metrics_token";
    await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken } });
    admin = await startAdminApi(accessToken);
    admin.orders.push({ node: adminNodeFromRest(attributedOrder(21)), updatedAt: new Date(Date.now() - HOUR).toISOString() });

    // FlexOffers is busy once and asks for an hour: that delivery stays pending, with one "retry" attempt.
    sims.failNext("flexoffers", "429", 1);
    app = await serveApp(url, { ...sims.env, METRICS_TOKEN: TOKEN, SHOPIFY_ADMIN_API_ORIGIN: admin.origin });
  }, 300_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill("SIGKILL");
    if (app && app.child.exitCode === null) await app.stop("SIGKILL");
    await sims?.close();
    await admin?.close();
    if (db) {
      await closeDriver(db);
      await db.$disconnect();
    }
  });

  const scrape = async (base: string, token = TOKEN) => {
    const response = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return parsePrometheus(await response.text());
  };

  it("counts webhooks, attempts, the outbox and leases as the database records them", async () => {
    // Reconciliation runs as the worker starts: its order is in before any webhook is posted.
    await expect.poll(() => db.order.count({ where: { shopifyOrderId: String(attributedOrder(21).id) } }), { timeout: 30_000 }).toBe(1);
    const answered: Record<string, number> = {};
    const post = async (route: string, body: unknown, options: { topic?: string; secret?: string; eventId?: string } = {}) => {
      const raw = JSON.stringify(body);
      const headers = webhookHeaders({ topic: options.topic ?? route, shop: SHOP, body, eventId: options.eventId, secret: options.secret ?? TEST_ENV.SHOPIFY_API_SECRET }, raw);
      const response = await fetch(`${app.url}/webhooks/${route}`, { method: "POST", headers, body: raw });
      const key = `status=${response.status},topic=${route}`;
      answered[key] = (answered[key] ?? 0) + 1;
      return response.status;
    };

    expect(await post("orders/paid", attributedOrder(1), { eventId: "evt-1" })).toBe(200);
    expect(await post("orders/paid", attributedOrder(1), { eventId: "evt-1" })).toBe(200); // Shopify's retry
    expect(await post("orders/paid", attributedOrder(2))).toBe(200);
    expect(await post("orders/paid", attributedOrder(3))).toBe(200);
    expect(await post("orders/paid", attributedOrder(4, { test: true }))).toBe(200); // skipped everywhere
    expect(await post("orders/paid", attributedOrder(5), { secret: "not-the-app-secret" })).toBe(401);
    expect(await post("orders/paid", attributedOrder(6), { topic: "orders/cancelled" })).toBe(400);
    expect(await post("orders/paid", { id: 1 })).toBe(422);
    expect(await post("refunds/create", { id: 1, order_id: 999_999_999, refund_line_items: [] })).toBe(503);
    expect(await post("customers/data_request", { shop_domain: SHOP, customer: { id: 1 }, orders_requested: [] })).toBe(200);

    await settled(db);
    const before = Date.now();
    const samples = await scrape(app.url);
    const after = Date.now();

    // What the clients were answered, and what that left in the database.
    expect(series(samples, "affiliate_relay_webhooks_received_total")).toEqual(answered);
    expect(await db.webhookReceipt.count({ where: { topic: "orders/paid" } })).toBe(answered["status=200,topic=orders/paid"]! - 1);
    expect(await db.dataRequest.count()).toBe(answered["status=200,topic=customers/data_request"]);
    for (const topic of ["orders/paid", "refunds/create", "customers/data_request"]) {
      const total = Object.entries(answered).filter(([key]) => key.endsWith(`topic=${topic}`)).reduce((sum, [, n]) => sum + n, 0);
      expect(value(samples, "affiliate_relay_webhook_ingest_duration_seconds_count", { topic })).toBe(total);
    }

    const attempts = await attemptsInDb(db);
    expect(attempts["network=flexoffers,outcome=retry"]).toBe(1);
    expect(attempts["network=refersion,outcome=success"]).toBe(4);
    expect(series(samples, "affiliate_relay_delivery_attempts_total")).toEqual(attempts);
    expect(series(samples, "affiliate_relay_delivery_attempt_duration_seconds_count")).toEqual(perNetwork(attempts));

    const open = await openDeliveriesInDb(db);
    expect(open).toEqual({ "network=flexoffers,status=pending": 1, "network=refersion,status=pending": 1 });
    expect(series(samples, "affiliate_relay_outbox_deliveries")).toEqual(open);
    const oldest = value(samples, "affiliate_relay_outbox_oldest_pending_age_seconds", { network: "refersion" })!;
    expect(oldest).toBeGreaterThanOrEqual((before - oneHourOld.getTime()) / 1000 - 1);
    expect(oldest).toBeLessThanOrEqual((after - oneHourOld.getTime()) / 1000 + 1);
    expect(value(samples, "affiliate_relay_outbox_oldest_pending_age_seconds", { network: "flexoffers" })).toBeLessThan(oldest);
    expect(series(samples, "affiliate_relay_outbox_due_lag_seconds")).toEqual({ "network=flexoffers": 0, "network=refersion": 0 });

    // The dead worker's claim was taken up (then skipped: awin is switched off for the shop).
    expect(value(samples, "affiliate_relay_leases_recovered_total")).toBe(1);
    expect((await db.delivery.findFirstOrThrow({ where: { network: "awin" } })).status).toBe("skipped");
    expect(series(samples, "affiliate_relay_leases_held")).toEqual({});
    expect(await db.delivery.count({ where: { status: "in_flight" } })).toBe(0);

    // Reconciliation ran once, at start-up, and recorded the one order that no webhook brought.
    expect(value(samples, "affiliate_relay_job_runs_total", { job: "reconciliation", result: "ok" })).toBe(1);
    // One page of the paid orders' ids, then the one order no webhook brought, read in full (app/pipeline/reconcile).
    expect(admin.requests).toHaveLength(2);
    expect(value(samples, "affiliate_relay_reconciliation_orders_recorded_total")).toBe(1);
    expect(await db.order.count({ where: { shopifyOrderId: String(attributedOrder(21).id) } })).toBe(1);
    expect(value(samples, "affiliate_relay_reconciliation_shop_failures_total")).toBe(0);
    expect(value(samples, "process_resident_memory_bytes")).toBeGreaterThan(0);

    // The server's own lines: JSON, the start-up line with its port, the ingestion warnings with shop and topic.
    const lines = app.output().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.component === "serve")).toMatchObject({ level: "info", port: app.port });
    expect(lines.filter((line) => line.component === "ingest")).toEqual([
      expect.objectContaining({ level: "warn", shop: SHOP, topic: "orders/paid", msg: "webhook rejected: not a readable order" }),
      expect.objectContaining({ level: "warn", shop: SHOP, topic: "refunds/create", msg: expect.stringContaining("order 999999999 is not recorded yet") }),
    ]);
  });

  it("refuses /metrics without the bearer token or with a wrong one", async () => {
    const none = await fetch(`${app.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain("affiliate_relay");
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`, TOKEN]) {
      const wrong = await fetch(`${app.url}/metrics`, { headers: { Authorization: authorization } });
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).not.toContain("affiliate_relay");
    }
  });

  // Builds on the state the figures test above leaves.
  it("serves the same figures from a standalone worker on METRICS_PORT", async () => {
    await app.stop();
    const attemptsBefore = await attemptsInDb(db);
    for (const n of [11, 12]) {
      const outcome = await ingestPaidOrder(db, { shop: SHOP, eventId: `evt-worker-${n}`, payload: attributedOrder(n), triggeredAt: new Date() });
      expect(outcome.kind).toBe("recorded");
    }

    const child: ChildProcess = spawn(process.execPath, [path.join(root, "bin", "affiliate-relay.mjs"), "worker", "--reconcile-minutes", "0", "--poll-ms", "50"], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", ...TEST_ENV, ...sims.env, DATABASE_URL: url, METRICS_PORT: "0", METRICS_TOKEN: TOKEN },
      stdio: ["ignore", "pipe", "pipe"],
    });
    worker = child;
    let output = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    await expect.poll(() => /"metricsPort":(\d+)/.exec(output)?.[1], { timeout: 30_000 }).toBeDefined();
    const base = `http://127.0.0.1:${/"metricsPort":(\d+)/.exec(output)![1]}`;

    await expect.poll(() => db.deliveryAttempt.count(), { timeout: 30_000 }).toBe(Object.values(attemptsBefore).reduce((a, b) => a + b, 0) + 6);
    await settled(db);
    const samples = await scrape(base);
    const attemptsAfter = await attemptsInDb(db);
    const made: Record<string, number> = {};
    for (const [key, n] of Object.entries(attemptsAfter)) if (n - (attemptsBefore[key] ?? 0) > 0) made[key] = n - (attemptsBefore[key] ?? 0);
    expect(made).toEqual({ "network=flexoffers,outcome=success": 2, "network=refersion,outcome=success": 2, "network=retrack,outcome=success": 2 });
    expect(series(samples, "affiliate_relay_delivery_attempts_total")).toEqual(made);
    expect(series(samples, "affiliate_relay_outbox_deliveries")).toEqual(await openDeliveriesInDb(db));
    expect(series(samples, "affiliate_relay_webhooks_received_total")).toEqual({});

    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    expect(await (await fetch(`${base}/healthz`)).text()).toBe("ok");
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    // Every line the worker wrote is one JSON object; the ones about a delivery name its shop, order and network.
    const lines = output.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    const deliveries = lines.filter((line) => line.delivery);
    expect(deliveries.length).toBeGreaterThanOrEqual(6);
    for (const line of deliveries) expect(line).toMatchObject({ shop: SHOP, network: expect.any(String), order: expect.any(String) });
  });
});

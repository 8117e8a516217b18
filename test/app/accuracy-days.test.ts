// Settled days of the accuracy page (app/admin/accuracy-days.server.ts), on both databases, with clocks from the
// real now: for generated orders and deliveries the page read through its stored days equals a count of every
// figure afresh (test/app/support/accuracy-reference.ts, the page as it was before days were kept), for 7, 30 and
// 90 days; a replay, a backfill, an old order recorded again and a customers/redact show at once; a day with a
// conversion still open, and today, are never stored; shop/redact leaves none.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MARK_GUARD_MS, SETTLE_MARGIN_MS, mayTouchSettledDay } from "../../app/admin/accuracy-days.server.ts";
import { fillSettledDays, loadAccuracy } from "../../app/admin/accuracy.server.ts";
import { ACCURACY_WINDOWS, type Accuracy, type AccuracyWindow } from "../../app/admin/accuracy.ts";
import { redactCustomer } from "../../app/compliance/customer-redact.server.ts";
import { redactShop } from "../../app/compliance/shop-redact.server.ts";
import type { Db } from "../../app/db/client.server.ts";
import { networks } from "../../app/networks/registry.ts";
import { orderFromShopify } from "../../app/orders/from-shopify.ts";
import { backfillNetwork } from "../../app/pipeline/backfill.server.ts";
import { ingestPaidOrder } from "../../app/pipeline/ingest.server.ts";
import { replayDelivery } from "../../app/pipeline/replay.server.ts";
import { startWorker } from "../../app/pipeline/worker.server.ts";
import { quietLogger } from "../pipeline/support/harness.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { shopifyOrder } from "../../devkit/orders/shopify-order.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { loadAccuracyLive } from "./support/accuracy-reference.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STATUSES = ["succeeded", "failed", "stopped", "skipped", "pending", "in_flight", "waiting", "paused"] as const;
const FINAL = new Set(["succeeded", "failed", "stopped", "skipped"]);
const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** The same figures in a comparable order: networks by id (the reference lists extra networks in SQL's order). */
const comparable = (accuracy: Accuracy) => ({ ...accuracy, networks: [...accuracy.networks].sort((a, b) => a.network.localeCompare(b.network)) });

describe.each(databaseKinds)("settled accuracy days on %s", (kind) => {
  let db: Db;
  let shops = 0;
  const newShop = () => `accuracy-days-${++shops}.myshopify.com`;

  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  async function expectLive(shop: string, window: AccuracyWindow, now: Date): Promise<Accuracy> {
    const page = await loadAccuracy(db, shop, networks, window, now);
    expect(comparable(page)).toEqual(comparable(await loadAccuracyLive(db, shop, networks, window, now)));
    return page;
  }
  const storedDays = async (shop: string) =>
    (await db.accuracyDay.findMany({ where: { shop, figures: { not: null } }, select: { day: true }, orderBy: { day: "asc" } })).map((row) => row.day);

  // One generated order: how many days and hours ago it was paid, whether it is a test, and per network nothing or
  // a conversion with a status and reason (a no-click skip in the network's own words among them).
  const conversion = (label: string) =>
    fc.record({
      status: fc.constantFrom(...STATUSES),
      reason: fc.constantFrom(null, "test order: sending test orders is switched off", `no ${label} click on this order`, `no ${label} click`, "consent withheld: no marketing consent", "answered 400"),
    });
  const order = fc.record({
    daysAgo: fc.integer({ min: 0, max: 95 }),
    hour: fc.integer({ min: 0, max: 23 }),
    test: fc.boolean(),
    deliveries: fc.record(Object.fromEntries([...networks.map((n) => [n.id, fc.option(conversion(n.label), { nil: undefined })]), ["gone", fc.option(conversion("Gone"), { nil: undefined })]])),
  });

  async function seed(shop: string, orders: Array<typeof order extends fc.Arbitrary<infer T> ? T : never>, now: Date, connected: string[]) {
    await db.shop.create({ data: { domain: shop } });
    for (const network of connected) await db.networkConnection.create({ data: { shop, network, enabled: true } });
    const today = Date.parse(`${dayOf(now)}T00:00:00Z`);
    for (const [i, o] of orders.entries()) {
      // Never after now: nothing is paid in the future.
      const paidAt = new Date(Math.min(today - o.daysAgo * DAY + o.hour * HOUR + i * 1000, now.getTime() - 1000));
      const row = await db.order.create({ data: { shop, shopifyOrderId: String(i + 1), name: `#${i + 1}`, test: o.test, payload: "{}", paidAt, createdAt: paidAt } });
      const deliveries = Object.entries(o.deliveries).filter((entry): entry is [string, { status: (typeof STATUSES)[number]; reason: string | null }] => entry[1] !== undefined);
      if (deliveries.length) {
        await db.delivery.createMany({ data: deliveries.map(([network, d]) => ({ shop, orderId: row.id, network, kind: "conversion", status: d.status, reason: d.reason })) });
      }
      // A cancellation counts for nothing here.
      if (i % 5 === 0) await db.delivery.create({ data: { shop, orderId: row.id, network: "refersion", kind: "cancellation", status: "pending" } });
    }
  }

  it("equals a count afresh over the same orders, for every window, with days stored or not", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(order, { maxLength: 40 }), fc.subarray(networks.map((n) => n.id)), fc.integer({ min: 0, max: 23 }), async (orders, connected, hoursLater) => {
        const shop = newShop();
        const now = new Date();
        await seed(shop, orders, now, connected);
        // First reads store the settled days, later ones read them back, also as the clock moves on.
        for (const window of [...ACCURACY_WINDOWS, ...[...ACCURACY_WINDOWS].reverse()]) await expectLive(shop, window, now);
        const later = new Date(now.getTime() + hoursLater * HOUR);
        for (const window of ACCURACY_WINDOWS) await expectLive(shop, window, later);
        // No stored day has a conversion still open, nor ended less than the margin before the clock.
        const open = new Set(
          orders
            .filter((o) => (Object.values(o.deliveries) as Array<{ status: string } | undefined>).some((d) => d && !FINAL.has(d.status)))
            .map((o) => dayOf(new Date(Date.parse(`${dayOf(now)}T00:00:00Z`) - o.daysAgo * DAY))),
        );
        for (const day of await storedDays(shop)) {
          expect(open.has(day), `${day} has an open conversion`).toBe(false);
          expect(Date.parse(`${day}T00:00:00Z`) + DAY + SETTLE_MARGIN_MS).toBeLessThanOrEqual(later.getTime());
        }
      }),
      { numRuns: 12 },
    );
  });

  // A shop with settings (backfill and ingestion plan from them) and realistic order payloads.
  async function pipelineShop(enabled: { refersion: boolean; flexoffers: boolean }) {
    const shop = newShop();
    await saveSettingsFile(db, shop, {
      currency: "shop",
      sendTestOrders: false,
      networks: {
        refersion: { enabled: enabled.refersion, publicKey: "pub-key", secretKey: "rfsn-secret-days" },
        flexoffers: { enabled: enabled.flexoffers, advertiserId: "adv-1", commissionId: "" },
      },
    });
    return shop;
  }
  async function paidOrder(shop: string, n: number, paidAt: Date) {
    const payload = shopifyOrder({ id: 9_000_000_000 + n, name: `#${n}`, lines: [{ quantity: 1, unitPrice: 2500 }] });
    return {
      payload,
      row: await db.order.create({ data: { shop, shopifyOrderId: String(9_000_000_000 + n), name: `#${n}`, payload: JSON.stringify(orderFromShopify(payload)), paidAt, createdAt: paidAt } }),
    };
  }

  it("shows a replayed delivery at once, and stores its day again once it settles", async () => {
    const shop = await pipelineShop({ refersion: true, flexoffers: false });
    const now = new Date();
    const { row } = await paidOrder(shop, 1, new Date(now.getTime() - 10 * DAY));
    const failed = await db.delivery.create({ data: { shop, orderId: row.id, network: "refersion", kind: "conversion", status: "failed", reason: "Refersion answered 400" } });
    const before = await expectLive(shop, 30, now);
    expect(before.networks.find((n) => n.network === "refersion")).toMatchObject({ failed: 1, open: 0 });
    const day = dayOf(row.paidAt!);
    expect(await storedDays(shop)).toContain(day);

    const replayAt = new Date(now.getTime() + 60_000);
    expect(await replayDelivery(db, shop, failed.id, replayAt)).toEqual({ replayed: true });
    const replayed = await expectLive(shop, 30, replayAt);
    expect(replayed.networks.find((n) => n.network === "refersion")).toMatchObject({ failed: 0, open: 1 });
    expect(await storedDays(shop)).not.toContain(day);

    // The worker delivers it; within the guard after the mark the day is counted but not stored, then stored.
    await db.delivery.update({ where: { id: failed.id }, data: { status: "succeeded", reason: null } });
    const soon = new Date(replayAt.getTime() + 60_000);
    expect((await expectLive(shop, 30, soon)).networks.find((n) => n.network === "refersion")).toMatchObject({ delivered: 1, failed: 0, open: 0 });
    expect(await storedDays(shop)).not.toContain(day);
    const later = new Date(replayAt.getTime() + MARK_GUARD_MS + 60_000);
    await expectLive(shop, 30, later);
    expect(await storedDays(shop)).toContain(day);
    expect((await expectLive(shop, 30, later)).networks.find((n) => n.network === "refersion")).toMatchObject({ delivered: 1 });
  });

  it("shows a backfill at once", async () => {
    const shop = await pipelineShop({ refersion: true, flexoffers: true });
    const now = new Date();
    const { row } = await paidOrder(shop, 2, new Date(now.getTime() - 12 * DAY));
    await db.delivery.create({ data: { shop, orderId: row.id, network: "refersion", kind: "conversion", status: "succeeded" } });
    expect((await expectLive(shop, 30, now)).networks.find((n) => n.network === "flexoffers")).toMatchObject({ missing: 1 });
    expect(await storedDays(shop)).toContain(dayOf(row.paidAt!));

    const result = await backfillNetwork(db, { shop, network: "flexoffers", days: 30, now: new Date(now.getTime() + 60_000) });
    expect(result.orders).toBe(1);
    const after = await expectLive(shop, 30, new Date(now.getTime() + 2 * 60_000));
    expect(after.networks.find((n) => n.network === "flexoffers")).toMatchObject({ missing: 0 });
  });

  it("shows an old order recorded again at once, and never takes a fresh order for one", async () => {
    const shop = await pipelineShop({ refersion: false, flexoffers: false });
    const now = new Date();
    const { payload, row } = await paidOrder(shop, 3, new Date(now.getTime() - 9 * DAY));
    expect((await expectLive(shop, 30, now)).networks).toEqual([]);
    expect(await storedDays(shop)).toContain(dayOf(row.paidAt!));

    // Refersion switched on since: orders/paid for the old order again (another event) gives it a conversion.
    await pipelineShopSettings(shop);
    const at = new Date(now.getTime() + 60_000);
    const outcome = await ingestPaidOrder(db, { shop, eventId: "again-1", payload: { ...payload, created_at: row.paidAt!.toISOString() }, now: at });
    expect(outcome).toMatchObject({ kind: "recorded", deliveries: 1 });
    const after = await expectLive(shop, 30, new Date(at.getTime() + 60_000));
    expect(after.networks.find((n) => n.network === "refersion")).toMatchObject({ paidOrders: 1, open: 1 });

    expect(mayTouchSettledDay(new Date(now.getTime() - 60_000).toISOString(), now)).toBe(false);
    expect(mayTouchSettledDay(new Date(now.getTime() - 3 * DAY).toISOString(), now)).toBe(true);
  });

  async function pipelineShopSettings(shop: string) {
    await saveSettingsFile(db, shop, {
      currency: "shop",
      sendTestOrders: false,
      networks: { refersion: { enabled: true, publicKey: "pub-key", secretKey: "rfsn-secret-days" }, flexoffers: { enabled: false, advertiserId: "adv-1", commissionId: "" } },
    });
  }

  it("never stores a day with a conversion still open, nor today; customers/redact reopens its days; shop/redact leaves none", async () => {
    const shop = await pipelineShop({ refersion: true, flexoffers: false });
    const now = new Date();
    const open = await paidOrder(shop, 4, new Date(now.getTime() - 20 * DAY));
    await db.delivery.create({ data: { shop, orderId: open.row.id, network: "refersion", kind: "conversion", status: "pending" } });
    const settled = await paidOrder(shop, 5, new Date(now.getTime() - 21 * DAY));
    await db.delivery.create({ data: { shop, orderId: settled.row.id, network: "refersion", kind: "conversion", status: "skipped", reason: "test order" } });
    const today = await paidOrder(shop, 6, new Date(now.getTime() - 1000));
    await db.delivery.create({ data: { shop, orderId: today.row.id, network: "refersion", kind: "conversion", status: "succeeded" } });
    await expectLive(shop, 30, now);
    const stored = await storedDays(shop);
    expect(stored).toContain(dayOf(settled.row.paidAt!));
    expect(stored).not.toContain(dayOf(open.row.paidAt!));
    expect(stored).not.toContain(dayOf(now));

    await db.order.update({ where: { id: settled.row.id }, data: { customerId: "cust-1" } });
    await redactCustomer(db, { shop, customerId: "cust-1", email: null, phone: null, orderIds: [] });
    expect(await storedDays(shop)).not.toContain(dayOf(settled.row.paidAt!));

    await expectLive(shop, 30, now);
    await redactShop(db, shop);
    expect(await db.accuracyDay.count({ where: { shop } })).toBe(0);
  });

  it("stores the settled days ahead of the first visit, a day at a time, from the worker's hourly job", async () => {
    const shop = await pipelineShop({ refersion: true, flexoffers: false });
    const now = new Date();
    const settledDays: string[] = [];
    for (const [n, daysAgo] of [[11, 3], [12, 40], [13, 80]] as const) {
      const { row } = await paidOrder(shop, n, new Date(now.getTime() - daysAgo * DAY));
      await db.delivery.create({ data: { shop, orderId: row.id, network: "refersion", kind: "conversion", status: "succeeded" } });
      settledDays.push(dayOf(row.paidAt!));
    }
    const open = await paidOrder(shop, 14, new Date(now.getTime() - 5 * DAY));
    await db.delivery.create({ data: { shop, orderId: open.row.id, network: "refersion", kind: "conversion", status: "failed" } });
    await db.delivery.create({ data: { shop, orderId: open.row.id, network: "flexoffers", kind: "conversion", status: "waiting" } });

    const worker = startWorker({
      db,
      reconcile: false,
      pruneReceipts: false,
      pruneAttemptBodies: false,
      storefrontResync: false,
      accuracyDays: { everyMs: HOUR },
      // Nothing delivered: other tests' open conversions in this database stay as they are.
      share: () => 0,
      pollIntervalMs: 10,
      logger: quietLogger,
      now: () => now,
    });
    try {
      await expect.poll(async () => (await storedDays(shop)).filter((day) => settledDays.includes(day)), { timeout: 20_000 }).toEqual([...settledDays].sort());
    } finally {
      await worker.stop();
    }
    const stored = await storedDays(shop);
    expect(stored).not.toContain(dayOf(open.row.paidAt!));
    expect(stored).not.toContain(dayOf(now));
    // Every settled day of the 90 is stored (empty ones too), so the first visit counts only the open day and today.
    expect(stored.length).toBeGreaterThanOrEqual(88);
    expect(await fillSettledDays(db, shop, networks, now)).toBe(0);
    await expectLive(shop, 90, now);
  });
});

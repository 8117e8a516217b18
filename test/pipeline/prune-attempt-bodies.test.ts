// Attempts' request and response bodies are pruned past ATTEMPT_BODY_RETENTION_DAYS by the worker's periodic job,
// a bounded batch per statement, on both databases; the attempt rows stay (status, duration, time, outcome,
// error), the admin's delivery page says the bodies were pruned and after how many days, and a later customers/redact
// leaves a pruned body pruned. A controlled clock starts from the real now.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import { describe, expect, it } from "vitest";
import { loadDeliveryDetail } from "../../app/admin/deliveries.server.ts";
import { AttemptCard } from "../../app/admin/ui/attempt-card.tsx";
import { redactCustomer } from "../../app/compliance/customer-redact.server.ts";
import type { Db } from "../../app/db/client.server.ts";
import { ingestPaidOrder } from "../../app/pipeline/ingest.server.ts";
import { attemptBodyRetentionDays, attemptBodyRetentionMs, PRUNE_CANDIDATES, pruneAttemptBodies } from "../../app/pipeline/prune-attempt-bodies.server.ts";
import { driverFor } from "../../app/pipeline/sql/driver.server.ts";
import { startWorker } from "../../app/pipeline/worker.server.ts";
import { attributedOrder, DEMO_SETTINGS } from "../../devkit/orders/attributed-order.ts";
import { databaseKinds } from "../support/databases.ts";
import { freshDbPerTest } from "./support/fresh-db.ts";
import { quietLogger } from "./support/harness.ts";

const SHOP = "prune-bodies.myshopify.com";
const DAY = 24 * 3_600_000;
const RETENTION = 30 * DAY;

describe("attempt body retention setting", () => {
  it("defaults to 30 days and reads ATTEMPT_BODY_RETENTION_DAYS", () => {
    expect(attemptBodyRetentionDays({})).toBe(30);
    expect(attemptBodyRetentionMs({})).toBe(RETENTION);
    expect(attemptBodyRetentionDays({ ATTEMPT_BODY_RETENTION_DAYS: " " })).toBe(30);
    expect(attemptBodyRetentionMs({ ATTEMPT_BODY_RETENTION_DAYS: "90" })).toBe(90 * DAY);
    expect(attemptBodyRetentionMs({ ATTEMPT_BODY_RETENTION_DAYS: "3.5" })).toBe(3.5 * DAY);
  });

  it("refuses a window a delivery's 72 hours of retries could outlast, and what is not a number", () => {
    for (const value of ["3", "2", "0", "-30", "thirty", "30d", "Infinity"]) {
      expect(() => attemptBodyRetentionMs({ ATTEMPT_BODY_RETENTION_DAYS: value }), value).toThrow(/ATTEMPT_BODY_RETENTION_DAYS must be a number of days above 3 /);
    }
  });

  it("is checked when a worker starts", () => {
    const previous = process.env.ATTEMPT_BODY_RETENTION_DAYS;
    process.env.ATTEMPT_BODY_RETENTION_DAYS = "1";
    try {
      expect(() => startWorker({ db: {} as Db, reconcile: false, pruneReceipts: false, logger: quietLogger })).toThrow(/ATTEMPT_BODY_RETENTION_DAYS/);
    } finally {
      if (previous === undefined) delete process.env.ATTEMPT_BODY_RETENTION_DAYS;
      else process.env.ATTEMPT_BODY_RETENTION_DAYS = previous;
    }
  });
});

describe.each(databaseKinds)("pruning attempt bodies on %s", (kind) => {
  let db: Db;
  freshDbPerTest(kind, (fresh) => (db = fresh), { shop: SHOP, settings: DEMO_SETTINGS });

  /** A controlled clock, from the real now. */
  const clock = () => {
    let t = Date.now();
    return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
  };

  /** Order n recorded, and one attempt of its Refersion delivery started `ageMs` before `now`, as deliver.server.ts logs it. */
  async function attemptAged(n: number, ageMs: number, now: Date, customerEmail = `shopper${n}@example.com`) {
    const outcome = await ingestPaidOrder(db, { shop: SHOP, eventId: `evt-${n}`, payload: attributedOrder(n), now: new Date(now.getTime() - ageMs - 60_000) });
    expect(outcome.kind).toBe("recorded");
    const delivery = await db.delivery.findFirstOrThrow({ where: { shop: SHOP, network: "refersion", order: { shopifyOrderId: String(attributedOrder(n).id) } } });
    return db.deliveryAttempt.create({
      data: {
        deliveryId: delivery.id,
        shop: SHOP,
        startedAt: new Date(now.getTime() - ageMs),
        durationMs: 100 + n,
        request: JSON.stringify({ method: "POST", url: "https://refersion.test/tracker/orders", headers: {}, body: { order_id: String(n), email: customerEmail } }),
        httpStatus: 502,
        outcome: "retry",
        responseExcerpt: `{"error":"upstream ${n}","email":"${customerEmail}"}`,
        error: `Refersion answered 502 (${n})`,
      },
    });
  }

  const attemptsByDuration = () => db.deliveryAttempt.findMany({ where: { shop: SHOP }, orderBy: { durationMs: "asc" } });

  it("nulls the bodies of attempts older than the window and keeps every row's status, duration, time and error", async () => {
    const time = clock();
    const made = [
      await attemptAged(1, 90 * DAY, time.now()),
      await attemptAged(2, RETENTION + 60_000, time.now()),
      await attemptAged(3, RETENTION - 60_000, time.now()),
      await attemptAged(4, 0, time.now()),
    ];
    expect(await pruneAttemptBodies(db, { now: time.now(), retentionMs: RETENTION })).toBe(2);
    const rows = await attemptsByDuration();
    expect(rows.map((row) => [row.request === null, row.responseExcerpt === null, row.bodiesPrunedAt?.getTime() ?? null])).toEqual([
      [true, true, time.now().getTime()],
      [true, true, time.now().getTime()],
      [false, false, null],
      [false, false, null],
    ]);
    // Everything else of every row as it was.
    const kept = (row: (typeof made)[number]) => ({ id: row.id, startedAt: row.startedAt, durationMs: row.durationMs, httpStatus: row.httpStatus, outcome: row.outcome, error: row.error });
    expect(rows.map(kept)).toEqual(made.map(kept));
    expect(rows[2]!.request).toBe(made[2]!.request);
    expect(rows[3]!.responseExcerpt).toBe(made[3]!.responseExcerpt);
    expect(await pruneAttemptBodies(db, { now: time.now(), retentionMs: RETENTION })).toBe(0);

    // Two days on, the third crosses the window; the first two keep the time they were pruned at.
    const firstPrunedAt = time.now().getTime();
    time.advance(2 * DAY);
    expect(await pruneAttemptBodies(db, { now: time.now(), retentionMs: RETENTION })).toBe(1);
    expect((await attemptsByDuration()).map((row) => row.bodiesPrunedAt?.getTime() ?? null)).toEqual([firstPrunedAt, firstPrunedAt, time.now().getTime(), null]);
    expect(await db.deliveryAttempt.count()).toBe(4);
  });

  it("prunes a backlog larger than one batch, a bounded statement at a time", async () => {
    const time = clock();
    for (let i = 0; i < 7; i++) await attemptAged(10 + i, RETENTION + (i + 1) * 60_000, time.now());
    await attemptAged(20, DAY, time.now());
    expect(await pruneAttemptBodies(db, { now: time.now(), retentionMs: RETENTION, batch: 3 })).toBe(7);
    expect((await attemptsByDuration()).map((row) => row.request === null)).toEqual([...Array(7).fill(true), false]);
  });

  it("finds what to prune through the (bodiesPrunedAt, startedAt) index, not by reading the table", async () => {
    const driver = driverFor(db);
    const params = [new Date(), 5000];
    if (driver.kind === "sqlite") {
      const plan = await driver.read(function* () {
        return (yield { sql: `EXPLAIN QUERY PLAN ${PRUNE_CANDIDATES}`, params }).rows;
      });
      const text = plan.map((row) => String(row.detail)).join("\n");
      expect(text).toMatch(/USING (COVERING )?INDEX DeliveryAttempt_bodiesPrunedAt_startedAt_idx \(bodiesPrunedAt=\? AND startedAt<\?\)/);
      expect(text).not.toMatch(/TEMP B-TREE/);
    } else {
      // An empty table always gets a sequential scan; with it ruled out, the plan shows the index is usable.
      const plan = await driver.transaction(function* () {
        yield { sql: "SET LOCAL enable_seqscan = off", params: [] };
        return (yield { sql: `EXPLAIN ${PRUNE_CANDIDATES}`, params }).rows;
      });
      const text = plan.map((row) => String(row["QUERY PLAN"])).join("\n");
      expect(text).not.toMatch(/Sort/);
      expect(text).toMatch(/Index (Only )?Scan using "DeliveryAttempt_bodiesPrunedAt_startedAt_idx"/);
      expect(text).toMatch(/Index Cond: \(\("bodiesPrunedAt" IS NULL\) AND \("startedAt" < /);
    }
  });

  it("runs in the worker as a periodic job, on the worker's clock", async () => {
    const time = clock();
    await attemptAged(40, RETENTION + DAY, time.now());
    await attemptAged(41, DAY, time.now());
    const worker = startWorker({
      db,
      now: time.now,
      reconcile: false,
      pruneReceipts: false,
      pollIntervalMs: 10,
      logger: quietLogger,
      pruneAttemptBodies: { everyMs: 60 * 60_000, retentionMs: RETENTION },
      // Nothing delivered: an attempt of the worker's own would join the two this test ages.
      share: () => 0,
    });
    try {
      await expect.poll(async () => (await attemptsByDuration()).map((row) => row.request === null)).toEqual([true, false]);
      expect((await attemptsByDuration())[0]!.bodiesPrunedAt!.getTime()).toBe(time.now().getTime());
    } finally {
      await worker.stop();
    }
  });

  it("shows the merchant a pruned attempt with its status and time, and after how many days its bodies went", async () => {
    const time = clock();
    await attemptAged(50, RETENTION + DAY, time.now());
    await attemptAged(51, 0, time.now());
    await pruneAttemptBodies(db, { now: time.now(), retentionMs: RETENTION });
    const detail = async (n: number) => {
      const delivery = await db.delivery.findFirstOrThrow({ where: { network: "refersion", order: { shopifyOrderId: String(attributedOrder(n).id) } } });
      return (await loadDeliveryDetail(db, SHOP, delivery.id))!;
    };
    const card = (d: Awaited<ReturnType<typeof detail>>) =>
      renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(AttemptCard, { attempt: d.attemptLog[0]!, index: 1, retentionDays: d.attemptBodyRetentionDays })));

    const pruned = await detail(50);
    expect(pruned.attemptBodyRetentionDays).toBe(30);
    expect(pruned.attemptLog).toHaveLength(1);
    expect(pruned.attemptLog[0]).toMatchObject({ request: null, responseExcerpt: null, httpStatus: 502, outcome: "retry", durationMs: 150, bodiesPrunedAt: time.now().toISOString() });
    const prunedCard = card(pruned);
    expect(prunedCard).toContain("Request and response pruned after 30 days, on ");
    expect(prunedCard).toContain("HTTP 502");
    expect(prunedCard).toContain("Refersion answered 502 (50)");
    expect(prunedCard).not.toContain("Request (secrets redacted)");

    const fresh = card(await detail(51));
    expect(fresh).toContain("Request (secrets redacted)");
    expect(fresh).toContain("upstream 51");
    expect(fresh).not.toContain("pruned");
  });

  it("leaves a pruned body pruned when the customer is redacted later", async () => {
    const time = clock();
    await attemptAged(60, RETENTION + DAY, time.now(), "ada@example.com");
    await attemptAged(61, 0, time.now(), "ada@example.com");
    await pruneAttemptBodies(db, { now: time.now(), retentionMs: RETENTION });
    const orderIds = [60, 61].map((n) => String(attributedOrder(n).id));
    expect(await redactCustomer(db, { shop: SHOP, customerId: null, email: "ada@example.com", orderIds })).toMatchObject({ orders: 2, attempts: 2 });
    const [old, recent] = await attemptsByDuration();
    expect(old).toMatchObject({ request: null, responseExcerpt: null });
    expect(recent!.request).not.toBeNull();
    expect(`${recent!.request} ${recent!.responseExcerpt}`).not.toContain("ada@example.com");
  });
});

// Webhook receipts are pruned once Shopify can no longer retry them, by the worker's periodic job; a retry within
// the window is still recognised as a duplicate.
import { describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { ingestPaidOrder } from "../../app/pipeline/ingest.server.ts";
import {
  pruneWebhookReceipts,
  receiptRetentionMs,
} from "../../app/pipeline/prune-receipts.server.ts";
import { startWorker } from "../../app/pipeline/worker.server.ts";
import { databaseKinds } from "../support/databases.ts";
import { freshDbPerTest } from "./support/fresh-db.ts";
import { postWebhook } from "../../devkit/route-server.ts";
import { quietLogger } from "./support/harness.ts";
import {
  attributedOrder,
  DEMO_SETTINGS,
} from "../../devkit/orders/attributed-order.ts";
import { networks } from "../../app/networks/registry.ts";

const SHOP = "prune-receipts.myshopify.com";
const DAY = 24 * 3_600_000;
const WEEK = 7 * DAY;

describe("receipt retention setting", () => {
  it("defaults to 7 days and reads WEBHOOK_RECEIPT_RETENTION_DAYS", () => {
    expect(receiptRetentionMs({})).toBe(WEEK);
    expect(receiptRetentionMs({ WEBHOOK_RECEIPT_RETENTION_DAYS: "" })).toBe(
      WEEK
    );
    expect(receiptRetentionMs({ WEBHOOK_RECEIPT_RETENTION_DAYS: "30" })).toBe(
      30 * DAY
    );
    expect(receiptRetentionMs({ WEBHOOK_RECEIPT_RETENTION_DAYS: "2.5" })).toBe(
      2.5 * DAY
    );
  });

  it("refuses a window Shopify's 48 hours of retries could outlast, and what is not a number", () => {
    for (const value of ["2", "1", "0", "-7", "seven", "7d", "Infinity"]) {
      expect(
        () => receiptRetentionMs({ WEBHOOK_RECEIPT_RETENTION_DAYS: value }),
        value
      ).toThrow(
        /WEBHOOK_RECEIPT_RETENTION_DAYS must be a number of days above 2/
      );
    }
  });

  it("is checked when a worker starts", () => {
    const previous = process.env.WEBHOOK_RECEIPT_RETENTION_DAYS;
    process.env.WEBHOOK_RECEIPT_RETENTION_DAYS = "1";
    try {
      expect(() =>
        startWorker({ db: {} as Db, reconcile: false, logger: quietLogger })
      ).toThrow(/WEBHOOK_RECEIPT_RETENTION_DAYS/);
    } finally {
      if (previous === undefined)
        delete process.env.WEBHOOK_RECEIPT_RETENTION_DAYS;
      else process.env.WEBHOOK_RECEIPT_RETENTION_DAYS = previous;
    }
  });
});

describe.each(databaseKinds)("pruning webhook receipts on %s", (kind) => {
  let db: Db;
  freshDbPerTest(kind, (fresh) => (db = fresh), {
    shop: SHOP,
    settings: DEMO_SETTINGS,
  });

  /** An orders/paid webhook received `ageMs` ago. */
  const receiveAt = (n: number, eventId: string, ageMs: number, now: number) =>
    ingestPaidOrder(db, {
      shop: SHOP,
      eventId,
      payload: attributedOrder(n),
      now: new Date(now - ageMs),
    });

  const postPaid = async (n: number, eventId: string) =>
    (
      await postWebhook({
        topic: "orders/paid",
        shop: SHOP,
        body: attributedOrder(n),
        eventId,
      })
    ).status;

  const counts = async () => ({
    receipts: await db.webhookReceipt.count(),
    orders: await db.order.count(),
    deliveries: await db.delivery.count(),
  });

  it("removes only the receipts older than the window, and nothing else", async () => {
    const now = Date.now();
    expect((await receiveAt(1, "old-1", WEEK + 60_000, now)).kind).toBe(
      "recorded"
    );
    expect((await receiveAt(2, "old-2", 30 * DAY, now)).kind).toBe("recorded");
    expect((await receiveAt(3, "recent", WEEK - 60_000, now)).kind).toBe(
      "recorded"
    );
    expect((await receiveAt(4, "fresh", 0, now)).kind).toBe("recorded");
    expect(
      await pruneWebhookReceipts(db, { now: new Date(now), retentionMs: WEEK })
    ).toBe(2);
    const left = await db.webhookReceipt.findMany({
      orderBy: { eventId: "asc" },
    });
    expect(left.map((r) => r.eventId)).toEqual(["fresh", "recent"]);
    expect(await counts()).toEqual({
      receipts: 2,
      orders: 4,
      deliveries: 4 * networks.length,
    });
    expect(
      await pruneWebhookReceipts(db, { now: new Date(now), retentionMs: WEEK })
    ).toBe(0);
  });

  it("deletes a backlog larger than one batch", async () => {
    const now = Date.now();
    for (let i = 0; i < 7; i++)
      await receiveAt(10 + i, `backlog-${i}`, WEEK + i * 60_000 + 1, now);
    await receiveAt(20, "kept", DAY, now);
    expect(
      await pruneWebhookReceipts(db, {
        now: new Date(now),
        retentionMs: WEEK,
        batch: 3,
      })
    ).toBe(7);
    expect((await db.webhookReceipt.findMany()).map((r) => r.eventId)).toEqual([
      "kept",
    ]);
  });

  it("still acknowledges a duplicate within the window after pruning, and it changes nothing", async () => {
    const now = Date.now();
    await receiveAt(30, "pruned-away", 10 * DAY, now);
    expect(await postPaid(31, "retried")).toBe(200);
    const before = await db.order.findFirstOrThrow({
      where: { shopifyOrderId: "5000000031" },
    });
    expect(
      await pruneWebhookReceipts(db, { now: new Date(), retentionMs: WEEK })
    ).toBe(1);
    expect(await postPaid(31, "retried")).toBe(200);
    expect(await counts()).toEqual({
      receipts: 1,
      orders: 2,
      deliveries: 2 * networks.length,
    });
    expect(
      (
        await db.order.findFirstOrThrow({
          where: { shopifyOrderId: "5000000031" },
        })
      ).updatedAt
    ).toEqual(before.updatedAt);
  });

  it("runs in the worker as a periodic job", async () => {
    const now = Date.now();
    await receiveAt(40, "stale", WEEK + DAY, now);
    await receiveAt(41, "current", DAY, now);
    const worker = startWorker({
      db,
      reconcile: false,
      pollIntervalMs: 10,
      logger: quietLogger,
      pruneReceipts: { everyMs: 60 * 60_000, retentionMs: WEEK },
    });
    try {
      await expect
        .poll(async () =>
          (await db.webhookReceipt.findMany()).map((r) => r.eventId)
        )
        .toEqual(["current"]);
    } finally {
      await worker.stop();
    }
  });

  it("a worker stopping waits for a periodic job still running, so it never outlives the database", async () => {
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const worker = startWorker({
      db,
      reconcile: false,
      pollIntervalMs: 10,
      logger: quietLogger,
      pruneReceipts: false,
      periodic: [
        {
          name: "slow job",
          everyMs: 60 * 60_000,
          run: async () => {
            started();
            await new Promise((resolve) => setTimeout(resolve, 300));
            finished = true;
          },
        },
      ],
    });
    await running;
    await worker.stop();
    expect(finished).toBe(true);
  });
});

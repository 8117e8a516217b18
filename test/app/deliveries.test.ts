// /app/deliveries and /app/deliveries/<id> through their real loaders and actions, with real session tokens, on
// both databases: newest first, every filter, cursor pagination without gaps or repeats, the attempt log with
// secrets redacted and shoppers' data hidden, retry one, retry all failed, backfill; and nothing of another shop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import type { DeliveryPage } from "../../app/admin/delivery-filters.ts";
import { action as indexAction, loader as indexLoader } from "../../app/routes/app.deliveries._index.tsx";
import { action as detailAction, loader as detailLoader } from "../../app/routes/app.deliveries.$id.tsx";
import type { DeliveryDetail } from "../../app/admin/deliveries.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { adminRequest, callRoute } from "./support/admin-request.ts";
import { seedAdminShop, type SeededAdminShop } from "./support/seed-admin.ts";

const SHOP = "deliveries-page.myshopify.com";
const OTHER = "deliveries-other.myshopify.com";
const MINUTE = 60_000;

describe.each(databaseKinds)("/app/deliveries on %s", (kind) => {
  let db: Db;
  let mine: SeededAdminShop;
  let other: SeededAdminShop;

  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
    mine = await seedAdminShop(db, SHOP, 3);
    other = await seedAdminShop(db, OTHER, 4);
  });
  afterAll(async () => {
    setDb(undefined);
    await db?.$disconnect();
  });

  const list = async (query = "", shop = SHOP) => {
    const answer = await callRoute(indexLoader, adminRequest(`/app/deliveries${query}`, { shop }));
    expect(answer.status).toBe(200);
    return { page: (answer.data as { page: DeliveryPage }).page, text: answer.text, data: answer.data as { counts: Record<string, { failed: number; queued: number }> } };
  };
  const detail = (id: string, shop = SHOP) => callRoute(detailLoader, adminRequest(`/app/deliveries/${id}`, { shop }), { id });
  const hidden = (text: string) => {
    for (const secret of [...mine.secrets, ...other.secrets]) expect(text).not.toContain(secret);
    for (const mark of other.marks) expect(text).not.toContain(mark);
  };

  it("lists this shop's deliveries newest first, and nothing of the other shop", async () => {
    const { page, text } = await list();
    expect(page.rows.map((row) => row.id)).toEqual([
      mine.deliveryIds.refersionSkipped,
      mine.deliveryIds.retrackPending,
      mine.deliveryIds.refersionFailed,
      mine.deliveryIds.flexoffersFailed,
      mine.deliveryIds.refersionDelivered,
      mine.deliveryIds.retrackPaused,
      mine.deliveryIds.refersionOld,
    ]);
    expect(page.rows[2]).toMatchObject({ orderName: "#3002", networkLabel: "Refersion", status: "failed", httpStatus: 400, reason: "Refersion answered 400: cart_id is required (shop 3)" });
    expect(page).toMatchObject({ older: null, newer: null });
    hidden(text);
  });

  it("filters by network, status, kind, date range and order name", async () => {
    const ids = async (query: string) => (await list(query)).page.rows.map((row) => row.id);
    expect(await ids("?network=retrack")).toEqual([mine.deliveryIds.retrackPending, mine.deliveryIds.retrackPaused]);
    expect(await ids("?status=failed")).toEqual([mine.deliveryIds.refersionFailed, mine.deliveryIds.flexoffersFailed]);
    expect(await ids("?network=refersion&status=failed")).toEqual([mine.deliveryIds.refersionFailed]);
    expect(await ids("?kind=refund")).toEqual([]);
    expect((await ids("?kind=conversion")).length).toBe(7);
    expect(await ids("?order=3001")).toEqual([mine.deliveryIds.flexoffersFailed, mine.deliveryIds.refersionDelivered, mine.deliveryIds.retrackPaused]);
    expect(await ids("?order=%233004")).toEqual([mine.deliveryIds.refersionSkipped]);
    // The other shop's order names find nothing here.
    expect(await ids(`?order=${encodeURIComponent(other.orderNames[0]!)}`)).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
    expect(await ids(`?from=${today}&to=${today}`)).not.toContain(mine.deliveryIds.refersionOld);
    const fromOld = await ids(`?from=${old}&to=${old}`);
    expect(fromOld).toEqual([mine.deliveryIds.refersionOld]);
    // Malformed filters are ignored rather than failing the page.
    expect((await ids("?status=nonsense&from=yesterday")).length).toBe(7);
  });

  it("pages through many deliveries with a cursor, newest first, without gaps or repeats, both ways", async () => {
    const order = await db.order.findFirstOrThrow({ where: { shop: SHOP, name: "#3001" } });
    const base = Date.now() - 10 * 86_400_000;
    // 60 refunds, some sharing a timestamp, so the cursor must break ties by id.
    await db.delivery.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        shop: SHOP,
        orderId: order.id,
        network: "refersion",
        kind: `refund:${9000 + i}`,
        status: "succeeded",
        createdAt: new Date(base + Math.floor(i / 3) * MINUTE),
      })),
    });
    const seen: string[] = [];
    let query = "?kind=refund";
    const pages: DeliveryPage[] = [];
    for (;;) {
      const { page } = await list(query);
      pages.push(page);
      seen.push(...page.rows.map((row) => row.id));
      if (!page.older) break;
      query = `?kind=refund&after=${page.older}`;
    }
    expect(pages.map((page) => page.rows.length)).toEqual([25, 25, 10]);
    expect(new Set(seen).size).toBe(60);
    const expected = await db.delivery.findMany({
      where: { shop: SHOP, kind: { startsWith: "refund:" } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true },
    });
    expect(seen).toEqual(expected.map((row) => row.id));
    // Back from the last page to the one before it.
    const back = await list(`?kind=refund&before=${pages[2]!.newer}`);
    expect(back.page.rows.map((row) => row.id)).toEqual(pages[1]!.rows.map((row) => row.id));
    expect(pages[0]!.newer).toBeNull();
    await db.delivery.deleteMany({ where: { shop: SHOP, kind: { startsWith: "refund:" } } });
  });

  it("shows one delivery with its order and attempts, secrets redacted and shoppers' data hidden", async () => {
    const answer = await detail(mine.deliveryIds.refersionFailed!);
    expect(answer.status).toBe(200);
    const { delivery } = answer.data as { delivery: DeliveryDetail };
    expect(delivery).toMatchObject({ status: "failed", networkLabel: "Refersion", replayable: true, order: { name: "#3002" }, httpStatus: 400 });
    expect(delivery.attemptLog).toHaveLength(1);
    expect(delivery.attemptLog[0]).toMatchObject({ httpStatus: 400, durationMs: 123, outcome: "permanent" });
    expect(delivery.attemptLog[0]!.request).toContain('"Refersion-Secret-Key": "[redacted]"');
    expect(delivery.attemptLog[0]!.request).toContain('"email": "[hidden]"');
    expect(delivery.attemptLog[0]!.responseExcerpt).toBe('{"error":"cart_id is required","echo":"[hidden]"}');
    hidden(answer.text);
  });

  it("answers 404 for a delivery of the other shop, and for an id that does not exist", async () => {
    expect((await detail(other.deliveryIds.refersionFailed!)).status).toBe(404);
    expect((await detail("no-such-delivery")).status).toBe(404);
    const retried = await callRoute(detailAction, adminRequest(`/app/deliveries/${other.deliveryIds.refersionFailed}`, { shop: SHOP, form: { intent: "retry" } }), {
      id: other.deliveryIds.refersionFailed!,
    });
    expect(retried.status).toBe(404);
    expect((await db.delivery.findUniqueOrThrow({ where: { id: other.deliveryIds.refersionFailed! } })).status).toBe("failed");
  });

  it("refuses a session token signed with another secret on every route", async () => {
    const bad = { shop: SHOP, secret: "not-the-app-secret" };
    expect((await callRoute(indexLoader, adminRequest("/app/deliveries", bad))).status).toBe(401);
    expect((await callRoute(detailLoader, adminRequest(`/app/deliveries/${mine.deliveryIds.refersionFailed}`, bad), { id: mine.deliveryIds.refersionFailed! })).status).toBe(401);
    const form = { intent: "retry" };
    expect((await callRoute(detailAction, adminRequest(`/app/deliveries/${mine.deliveryIds.refersionFailed}`, { ...bad, form }), { id: mine.deliveryIds.refersionFailed! })).status).toBe(401);
    expect((await callRoute(indexAction, adminRequest("/app/deliveries", { ...bad, form: { intent: "retry-network", network: "refersion" } }))).status).toBe(401);
    expect((await db.delivery.findUniqueOrThrow({ where: { id: mine.deliveryIds.refersionFailed! } })).status).toBe("failed");
  });

  it("retries one failed delivery; a delivered one is left alone, with the reason", async () => {
    const delivered = await callRoute(detailAction, adminRequest(`/app/deliveries/${mine.deliveryIds.refersionDelivered}`, { shop: SHOP, form: { intent: "retry" } }), {
      id: mine.deliveryIds.refersionDelivered!,
    });
    expect(delivered.data).toEqual({ retried: false, reason: "only failed deliveries can be replayed; this one is succeeded" });
    const answer = await callRoute(detailAction, adminRequest(`/app/deliveries/${mine.deliveryIds.flexoffersFailed}`, { shop: SHOP, form: { intent: "retry" } }), {
      id: mine.deliveryIds.flexoffersFailed!,
    });
    expect(answer.data).toEqual({ retried: true });
    expect(await db.delivery.findUniqueOrThrow({ where: { id: mine.deliveryIds.flexoffersFailed! } })).toMatchObject({ status: "pending", attempts: 0 });
    expect((await db.delivery.findUniqueOrThrow({ where: { id: other.deliveryIds.flexoffersFailed! } })).status).toBe("failed");
  });

  it("retries every failed delivery of one network for this shop only, and counts them", async () => {
    expect((await list()).data.counts.refersion).toEqual({ failed: 1, queued: 0 });
    const answer = await callRoute(indexAction, adminRequest("/app/deliveries", { shop: SHOP, form: { intent: "retry-network", network: "refersion" } }));
    expect(answer.data).toEqual({ intent: "retry-network", network: "refersion", label: "Refersion", queued: 1 });
    expect((await db.delivery.findUniqueOrThrow({ where: { id: mine.deliveryIds.refersionFailed! } })).status).toBe("pending");
    expect((await db.delivery.findUniqueOrThrow({ where: { id: other.deliveryIds.refersionFailed! } })).status).toBe("failed");
    expect((await list()).data.counts.refersion).toEqual({ failed: 0, queued: 1 });
  });

  it("backfills a network for the last N days from this shop's orders, and explains a bad request", async () => {
    const refused = await callRoute(indexAction, adminRequest("/app/deliveries", { shop: SHOP, form: { intent: "backfill", network: "refersion", days: "0" } }));
    expect(refused.data).toMatchObject({ intent: "backfill", ok: false, error: expect.stringContaining("1 to 60") });
    const answer = await callRoute(indexAction, adminRequest("/app/deliveries", { shop: SHOP, form: { intent: "backfill", network: "flexoffers", days: "7" } }));
    // This shop's four orders only: one FlexOffers has already, three without a FlexOffers click (skipped).
    expect(answer.data).toEqual({ intent: "backfill", network: "flexoffers", label: "FlexOffers", ok: true, orders: 4, queued: 0, skipped: 3, alreadyThere: 1 });
    expect(await db.delivery.count({ where: { shop: OTHER, network: "flexoffers" } })).toBe(1);
    hidden(answer.text);
  });
});

// Reconciliation against a stand-in that holds it to what Shopify allows (test/pipeline/support/admin-api.ts on
// devkit/shopify-admin/shopify-admin-api.ts): the real schema, the 1,000-point single-query limit, the leaky cost bucket
// on a controlled clock, expiring offline tokens. On SQLite and PostgreSQL.
import { afterEach, describe, expect, it } from "vitest";
import { reconcileShop, type ReconcileOptions } from "../../app/pipeline/reconcile/reconcile.server.ts";
import type { Db, DbKind } from "../../app/db/client.server.ts";
import type { NormalizedOrder } from "../../app/orders/model.ts";
import { shopifyOrder } from "../../devkit/orders/shopify-order.ts";
import { databaseKinds } from "../support/databases.ts";
import { offlineSessionRow } from "../../devkit/shopify-admin/shopify-admin-api.ts";
import { SINGLE_QUERY_LIMIT } from "../../devkit/shopify-admin/graphql-cost.ts";
import { adminNodeFromRest, startAdminApi, type AdminApiStandIn } from "./support/admin-api.ts";
import { SHOP, startRelay, type Relay } from "./support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";

const TOKEN = "shpat_reconcile_token";
const LOOKBACK = 6 * 3_600_000;

/** A clock that only moves when the code under test sleeps; it starts from the real now. */
function controlledClock() {
  let t = Date.now();
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

/** An order with `lines` line items (all attributed), as the webhook would have brought it. */
function bigOrder(n: number, lines: number) {
  const base = attributedOrder(n);
  const many = shopifyOrder({
    id: 5_000_000_000 + n,
    name: `#${1000 + n}`,
    lines: Array.from({ length: lines }, (_, i) => ({ id: 70_000 + i, sku: `BULK-${i}`, quantity: 1, unitPrice: 100 + i, taxes: [{ amount: 8, rate: "0.08" }] })),
    shipping: { price: 500 },
  });
  return { ...many, note_attributes: base.note_attributes };
}

/** Makes the database refuse to store one order, as a failing disk or constraint would. */
async function refuseToStore(db: Db, kind: DbKind, shopifyOrderId: string) {
  if (kind === "sqlite") {
    await db.$executeRawUnsafe(
      `CREATE TRIGGER "refuse_one_order" BEFORE INSERT ON "Order" WHEN NEW."shopifyOrderId" = '${shopifyOrderId}' BEGIN SELECT RAISE(ABORT, 'the database refused this order'); END`,
    );
  } else {
    await db.$executeRawUnsafe(
      `CREATE FUNCTION "refuse_one_order"() RETURNS trigger AS $$ BEGIN IF NEW."shopifyOrderId" = '${shopifyOrderId}' THEN RAISE EXCEPTION 'the database refused this order'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await db.$executeRawUnsafe(`CREATE TRIGGER "refuse_one_order" BEFORE INSERT ON "Order" FOR EACH ROW EXECUTE FUNCTION "refuse_one_order"()`);
  }
}

describe.each(databaseKinds)("reconciliation on %s", (kind) => {
  let relay: Relay;
  let admin: AdminApiStandIn;
  let clock: ReturnType<typeof controlledClock>;
  let now: Date;
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
  const reconcile = (options: Partial<ReconcileOptions> = {}) =>
    reconcileShop(relay.db, SHOP, { lookbackMs: LOOKBACK, now, sleep: clock.sleep, clock: clock.now, costBudget: 1_000_000, ...options });

  async function setUp(options: { bucket?: { maximumAvailable: number; restoreRate: number }; installed?: boolean } = {}) {
    relay = await startRelay(kind);
    clock = controlledClock();
    now = new Date();
    admin = await startAdminApi(TOKEN, { clock: clock.now, bucket: options.bucket });
    process.env.SHOPIFY_ADMIN_API_ORIGIN = admin.origin;
    if (options.installed ?? true) await relay.db.session.create({ data: offlineSessionRow(SHOP, TOKEN) });
  }

  afterEach(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    await admin?.close();
    await relay?.close();
  });

  it("keeps every query under Shopify's single-query limit and waits for the cost bucket instead of failing", async () => {
    // A standard plan's bucket refilling at 50 points a second: the reads cannot all go at once.
    await setUp({ bucket: { maximumAvailable: 1000, restoreRate: 50 } });
    for (let i = 1; i <= 6; i++) admin.orders.push({ node: adminNodeFromRest(attributedOrder(i)), updatedAt: hoursAgo(5 - i / 2) });
    // 130 line items: three pages of them. 15 shipping lines: two pages.
    admin.orders.push({ node: adminNodeFromRest(bigOrder(7, 130)), updatedAt: hoursAgo(1) });
    const shipped = adminNodeFromRest(attributedOrder(8));
    shipped.shippingLines.nodes = Array.from({ length: 15 }, () => shipped.shippingLines.nodes[0]!);
    admin.orders.push({ node: shipped, updatedAt: hoursAgo(0.5) });

    const result = await reconcile();
    expect(result).toMatchObject({ seen: 8, unreadable: [], unrecorded: [], incomplete: null });
    expect(result.recorded).toHaveLength(8);
    const requests = admin.api.graphqlRequests;
    expect(requests.filter((r) => r.outcome === "refused")).toEqual([]);
    expect(Math.max(...requests.map((r) => r.requestedCost ?? 0))).toBeLessThanOrEqual(SINGLE_QUERY_LIMIT);
    // It waited for the refill before most reads; a THROTTLED answer only where it could not know a cost yet.
    expect(clock.sleeps.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.outcome === "throttled").length).toBeLessThanOrEqual(3);
    expect(result.spent).toBe(requests.filter((r) => r.outcome === "ok").reduce((sum, r) => sum + r.requestedCost!, 0));

    const stored = async (id: number) => JSON.parse((await relay.db.order.findFirstOrThrow({ where: { shopifyOrderId: String(5_000_000_000 + id) } })).payload) as NormalizedOrder;
    expect((await stored(7)).lines.map((l) => l.sku)).toEqual(Array.from({ length: 130 }, (_, i) => `BULK-${i}`));
    expect((await stored(8)).shipping.shop).toBe(15 * 500);
  });

  it("lists the window 250 orders a page, and reads in full only the orders the webhooks missed", async () => {
    await setUp();
    const known = Array.from({ length: 255 }, (_, i) => 6_000_000_000 + i);
    await relay.db.order.createMany({
      data: known.map((id) => ({ shop: SHOP, shopifyOrderId: String(id), name: `#${id}`, payload: "{}", paidAt: new Date(now.getTime() - 3_600_000) })),
    });
    for (const id of known) admin.orders.push({ node: { ...adminNodeFromRest(attributedOrder(1)), id: `gid://shopify/Order/${id}`, legacyResourceId: String(id) }, updatedAt: hoursAgo(2) });
    for (const i of [1, 2, 3]) admin.orders.push({ node: adminNodeFromRest(attributedOrder(i)), updatedAt: hoursAgo(1) });

    const result = await reconcile();
    expect(result.seen).toBe(258);
    expect(result.recorded.sort()).toEqual(["5000000001", "5000000002", "5000000003"]);
    const lists = admin.requests.filter((r) => r.query.includes("ReconcilePaidOrderIds"));
    expect(lists.map((r) => r.variables.after ?? null)).toEqual([null, "250"]);
    expect(String(lists[0]!.variables.query)).toContain(`updated_at:>='${hoursAgo(6)}'`);
    expect(admin.requests.filter((r) => r.query.includes("query ReconcileOrder(")).map((r) => r.variables.id).sort()).toEqual(
      ["gid://shopify/Order/5000000001", "gid://shopify/Order/5000000002", "gid://shopify/Order/5000000003"],
    );
  });

  it("leaves out partly paid orders (orders/paid never fires for them) and keeps partly refunded ones", async () => {
    await setUp();
    admin.orders.push({ node: adminNodeFromRest(attributedOrder(1)), updatedAt: hoursAgo(1), financialStatus: "partially_paid" });
    admin.orders.push({ node: adminNodeFromRest(attributedOrder(2)), updatedAt: hoursAgo(1), financialStatus: "partially_refunded" });
    admin.orders.push({ node: adminNodeFromRest(attributedOrder(3)), updatedAt: hoursAgo(1), financialStatus: "pending" });
    const result = await reconcile();
    expect(result.recorded).toEqual(["5000000002"]);
    expect(await relay.db.order.count()).toBe(1);
  });

  it("caps what one run spends, and the next run takes up the orders it did not reach", async () => {
    await setUp();
    for (let i = 1; i <= 5; i++) admin.orders.push({ node: adminNodeFromRest(attributedOrder(i)), updatedAt: hoursAgo(5 - i / 2) });
    // The listing (252) and two order reads (826 each) fit in 2,000 points; a third would not.
    const first = await reconcile({ costBudget: 2_000 });
    expect(first.recorded).toHaveLength(2);
    expect(first.spent).toBeLessThanOrEqual(2_000);
    expect(first.incomplete).toMatch(/of its 2000 Admin API cost points/);
    const second = await reconcile({ costBudget: 2_000 });
    expect(second.recorded).toHaveLength(2);
    const third = await reconcile({ costBudget: 2_000 });
    expect([third.recorded.length, third.incomplete]).toEqual([1, null]);
    expect(await relay.db.order.count()).toBe(5);
  });

  it("goes on past an order it cannot read, one it cannot convert and one the database refuses, and reports each", async () => {
    await setUp();
    for (let i = 1; i <= 5; i++) admin.orders.push({ node: adminNodeFromRest(attributedOrder(i)), updatedAt: hoursAgo(5 - i / 2) });
    admin.failingReads.add("5000000002");
    const empty = adminNodeFromRest(attributedOrder(3));
    empty.lineItems.nodes = empty.lineItems.nodes.map((line) => ({ ...line, quantity: 0, currentQuantity: 0 }));
    admin.orders[2]!.node = empty;
    await refuseToStore(relay.db, kind, "5000000004");

    const result = await reconcile();
    expect(result.recorded.sort()).toEqual(["5000000001", "5000000005"]);
    expect(result.unreadable).toEqual([
      { order: "5000000002", reason: expect.stringMatching(/^reading it failed: Admin API: Internal error/) },
      { order: "#1003", reason: "not a Shopify order: every line item has a quantity of 0" },
    ]);
    expect(result.unrecorded).toEqual([{ order: "#1004", reason: expect.stringContaining("the database refused this order") }]);
    expect(result.incomplete).toBeNull();
  });

  it("refreshes an expired offline access token through Shopify's library and reconciles with the new one", async () => {
    await setUp({ installed: false });
    const expired = admin.api.issueTokens({ expiresInMs: -10 * 60_000 });
    await relay.db.session.create({ data: offlineSessionRow(SHOP, expired) });
    admin.orders.push({ node: adminNodeFromRest(attributedOrder(1)), updatedAt: hoursAgo(1) });

    const result = await reconcile();
    expect(result.recorded).toEqual(["5000000001"]);
    expect(admin.api.refreshRequests.map((r) => [r.status, r.body.refresh_token])).toEqual([[200, expired.refreshToken]]);
    const fresh = admin.api.latestTokens()!;
    expect(new Set(admin.requests.map((r) => r.token))).toEqual(new Set([fresh.accessToken]));
    expect((await relay.db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } })).accessToken).toBe(fresh.accessToken);
  });
});

// Replay, backfill and reconciliation: the ways an order gets (re)queued other than its webhook.
import { afterEach, describe, expect, it } from "vitest";
import { backfillNetwork, BackfillError } from "../../app/pipeline/backfill.server.ts";
import { orderFromAdminGraphql } from "../../app/pipeline/reconcile/admin-order.ts";
import { reconcileShop } from "../../app/pipeline/reconcile/reconcile.server.ts";
import { replayDelivery, replayFailed } from "../../app/pipeline/replay.server.ts";
import { orderFromShopify } from "../../app/orders/from-shopify.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { databaseKinds } from "../support/databases.ts";
import { adminNodeFromRest, startAdminApi, type AdminApiStandIn } from "./support/admin-api.ts";
import { simulatorSettings, SHOP, startRelay, type Relay } from "./support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";

describe("the Admin GraphQL order edge", () => {
  it("reads an order read through GraphQL into the same NormalizedOrder as its webhook payload", () => {
    const rest = attributedOrder(42);
    const fromWebhook = orderFromShopify(rest);
    const fromAdmin = orderFromAdminGraphql(adminNodeFromRest(rest));
    expect(fromAdmin).toEqual({ ...fromWebhook, landingSite: `https://shop.example${String(rest.landing_site)}` });
  });
});

describe.each(databaseKinds)("requeueing on %s", (kind) => {
  let relay: Relay;
  let admin: AdminApiStandIn | undefined;
  afterEach(async () => {
    await admin?.close();
    admin = undefined;
    await relay?.close();
  });

  it("replays one failed delivery, or all failed ones of a network, with a fresh retry window", async () => {
    relay = await startRelay(kind);
    for (let i = 1; i <= 3; i++) await relay.post("orders/paid", attributedOrder(i));
    relay.sims.failNext("flexoffers", "no-click", 3);
    const worker = relay.worker();
    await worker.idle();
    const failed = await relay.db.delivery.findMany({ where: { network: "flexoffers" }, orderBy: { createdAt: "asc" } });
    expect(failed.map((d) => d.status)).toEqual(["failed", "failed", "failed"]);

    const succeeded = await relay.db.delivery.findFirstOrThrow({ where: { network: "refersion" } });
    expect(await replayDelivery(relay.db, SHOP, succeeded.id)).toEqual({ replayed: false, reason: "only failed deliveries can be replayed; this one is succeeded" });
    expect(await replayDelivery(relay.db, "other.myshopify.com", failed[0]!.id)).toMatchObject({ replayed: false });
    expect(await replayDelivery(relay.db, SHOP, failed[0]!.id)).toEqual({ replayed: true });
    const queued = await relay.db.delivery.findUniqueOrThrow({ where: { id: failed[0]!.id } });
    expect([queued.status, queued.attempts, queued.firstAttemptAt, queued.completedAt]).toEqual(["pending", 0, null, null]);
    await worker.idle();
    expect(relay.sims.accepted("flexoffers")).toHaveLength(1);

    expect(await replayFailed(relay.db, SHOP, "flexoffers")).toBe(2);
    await worker.idle();
    expect(relay.sims.accepted("flexoffers")).toHaveLength(3);
    expect(await relay.db.deliveryAttempt.count({ where: { delivery: { network: "flexoffers" } } })).toBe(6);
  });

  it("backfills a network switched on later from the recorded orders of the last N days, once", async () => {
    relay = await startRelay(kind, {
      settings: (sims) => ({ ...simulatorSettings(sims), networks: { ...simulatorSettings(sims).networks, retrack: { enabled: false, apiToken: "", eventId: "" } } }),
    });
    for (let i = 1; i <= 4; i++) await relay.post("orders/paid", attributedOrder(i));
    await relay.post("orders/paid", attributedOrder(5, { test: true }));
    await relay.post("orders/cancelled", { ...attributedOrder(4), cancelled_at: "2026-11-21T10:00:00Z" });
    // Order 1 is older than the window.
    await relay.db.order.updateMany({ where: { shopifyOrderId: "5000000001" }, data: { paidAt: new Date(Date.now() - 10 * 86_400_000) } });
    expect(await relay.db.delivery.count({ where: { network: "retrack" } })).toBe(0);

    await expect(backfillNetwork(relay.db, { shop: SHOP, network: "retrack", days: 7 })).rejects.toThrow(BackfillError);
    await saveSettingsFile(relay.db, SHOP, simulatorSettings(relay.sims));
    await expect(backfillNetwork(relay.db, { shop: SHOP, network: "retrack", days: 0 })).rejects.toThrow(/days/);
    const result = await backfillNetwork(relay.db, { shop: SHOP, network: "retrack", days: 7 });
    expect(result).toEqual({ orders: 4, queued: 3, skipped: 1, alreadyThere: 0 });
    expect(await backfillNetwork(relay.db, { shop: SHOP, network: "retrack", days: 7 })).toEqual({ orders: 4, queued: 0, skipped: 0, alreadyThere: 4 });

    await relay.worker().idle();
    const retrack = relay.sims.accepted("retrack");
    expect(retrack.filter((r) => r.kind === "conversion").map((r) => (r.body as { orderNumber: string }).orderNumber).sort()).toEqual(["1002", "1003", "1004"]);
    // The cancelled order was reported, then reversed.
    expect(retrack.filter((r) => r.kind === "reject")).toHaveLength(1);
    expect(relay.sims.accepted("refersion")).toHaveLength(5); // refersion was on all along: 4 orders + 1 cancel
  });

  it("records paid orders the webhooks missed, found through the Admin API, and nothing twice", async () => {
    // Rate limits off: 60 orders at once, one request each, until the worker paces and batches per network.
    relay = await startRelay(kind, { simulators: { rateLimits: false } });
    const token = "shpat_reconcile_token";
    await relay.db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: token } });
    // Shopify's cost bucket on a clock that moves only when reconciliation waits for it.
    let t = Date.now();
    const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
    admin = await startAdminApi(token, { clock: clock.now });
    process.env.SHOPIFY_ADMIN_API_ORIGIN = admin.origin;
    const now = new Date();
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
    // 60 paid orders in the window; the webhook brought 3 of them. One more is older than the window.
    for (let i = 1; i <= 60; i++) admin.orders.push({ node: adminNodeFromRest(attributedOrder(i)), updatedAt: hoursAgo(5.5 - i / 12) });
    admin.orders.push({ node: adminNodeFromRest(attributedOrder(99)), updatedAt: hoursAgo(7) });
    for (const i of [1, 2, 3]) await relay.post("orders/paid", attributedOrder(i));

    const options = { lookbackMs: 6 * 3_600_000, now, costBudget: 100_000, sleep: clock.sleep, clock: clock.now };
    const result = await reconcileShop(relay.db, SHOP, options);
    expect(result.seen).toBe(60);
    expect(result.recorded).toHaveLength(57);
    expect(result.unreadable).toEqual([]);
    expect(admin.requests.every((r) => r.token === token)).toBe(true);
    // One page of ids answered (a listing Shopify answered THROTTLED under load is asked again, and not counted).
    const listings = admin.api.graphqlRequests.filter((r) => r.outcome === "ok" && r.query.includes("ReconcilePaidOrderIds"));
    expect(listings).toHaveLength(1);
    expect(String(listings[0]!.variables.query)).toContain(`updated_at:>='${hoursAgo(6)}'`);
    expect(new Set(admin.api.graphqlRequests.filter((r) => r.outcome === "ok" && r.query.includes("query ReconcileOrder(")).map((r) => r.variables.id)).size).toBe(57);
    expect(await relay.db.order.count()).toBe(60);
    expect(await relay.db.delivery.count({ where: { kind: "conversion" } })).toBe(60 * relay.sims.networks.length);

    const again = await reconcileShop(relay.db, SHOP, options);
    expect(again.recorded).toEqual([]);
    expect(await relay.db.delivery.count()).toBe(60 * relay.sims.networks.length);

    await relay.worker({ concurrency: 16 }).idle();
    // Orders, not requests: a network that batches reports several orders in one request.
    for (const network of relay.sims.networks) expect(relay.sims.accepted(network).flatMap((r) => relay!.sims.orderReferences(r)), network).toHaveLength(60);
  });
});

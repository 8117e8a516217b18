// After app/uninstalled nothing more is sent for the shop: not a delivery that was in flight when the webhook
// came (a retryable answer stops it instead of queueing it again), not one claimed but not yet sent, and not one
// that became pending some other way (a lease taken up, a claim handed back).
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterEach, describe, expect, it } from "vitest";
import { STOPPED_ON_UNINSTALL } from "../../app/compliance/uninstall.server.ts";
import { claimDueDeliveries } from "../../app/pipeline/claim.server.ts";
import { deliverClaimed } from "../../app/pipeline/deliver.server.ts";
import { DEFAULT_RETRY_POLICY } from "../../app/pipeline/retry-policy.ts";
import { cachedShopConfig } from "../../app/pipeline/settings-cache.server.ts";
import { action as uninstalled } from "../../app/routes/webhooks.app.uninstalled.tsx";
import { startHeldNetwork, type HeldNetwork } from "../servers/held-network.ts";
import { databaseKinds } from "../support/databases.ts";
import { signedWebhookRequest } from "../../devkit/shopify-webhook.ts";
import { SHOP, startRelay, type Relay } from "../pipeline/support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";

async function uninstall(): Promise<number> {
  const request = signedWebhookRequest({ topic: "app/uninstalled", shop: SHOP, body: { domain: SHOP } });
  return (await uninstalled({ request, params: {}, context: {} } as ActionFunctionArgs)).status;
}

describe.each(databaseKinds)("after app/uninstalled on %s", (kind) => {
  let relay: Relay | undefined;
  let held: HeldNetwork | undefined;
  afterEach(async () => {
    await held?.close();
    await relay?.close();
    held = relay = undefined;
  });

  async function start() {
    relay = await startRelay(kind);
    held = await startHeldNetwork();
    process.env.REFERSION_WEBHOOK_URL = `${held.url}/tracker/orders/paid`;
    expect(await relay.post("orders/paid", attributedOrder(1, { attributed: false }))).toBe(200); // Refersion only
    return { relay, held };
  }

  it("a delivery in flight that gets a retryable answer is stopped, never sent again", async () => {
    const { relay, held } = await start();
    let clock = new Date();
    const worker = relay.worker({ now: () => clock, retry: { baseMs: 10, capMs: 20 } });
    await held.arrival();
    expect(await uninstall()).toBe(200);
    held.answer(503, "Service Unavailable", { "content-type": "text/plain" });
    await worker.idle();
    const d = await relay.db.delivery.findFirstOrThrow({ where: { shop: SHOP, network: "refersion" } });
    expect([d.status, d.reason, d.leaseOwner]).toEqual(["stopped", STOPPED_ON_UNINSTALL, null]);
    // Days later, past every backoff: still the one request.
    clock = new Date(clock.getTime() + 4 * 86_400_000);
    await worker.idle();
    expect(held.received).toHaveLength(1);
    expect(await relay.db.deliveryAttempt.count({ where: { deliveryId: d.id } })).toBe(1);
  });

  it("a delivery claimed before the uninstall but not yet sent is not sent", async () => {
    const { relay, held } = await start();
    const now = new Date();
    const [claim] = await claimDueDeliveries(relay.db, { owner: "w1", limit: 10, perTarget: 10, leaseMs: 60_000, now });
    expect(claim).toBeDefined();
    expect(await uninstall()).toBe(200);
    const outcome = await deliverClaimed(
      {
        db: relay.db,
        owner: "w1",
        now: () => new Date(),
        random: () => 0.5,
        retry: DEFAULT_RETRY_POLICY,
        requestTimeoutMs: 2_000,
        leaseMs: 60_000,
        shopConfig: (shop) => cachedShopConfig(relay.db, shop),
      },
      claim!,
    );
    expect(outcome).not.toBe("succeeded");
    expect(held.received).toHaveLength(0);
    const d = await relay.db.delivery.findUniqueOrThrow({ where: { id: claim!.id } });
    expect([d.status, d.reason, d.leaseOwner]).toEqual(["stopped", STOPPED_ON_UNINSTALL, null]);
  });

  it("a pending delivery of an uninstalled shop is never claimed; other shops' are", async () => {
    const { relay } = await start();
    expect(await uninstall()).toBe(200);
    // Pending again after the uninstall (a lease taken up, a claim handed back): the claim must still refuse it.
    await relay.db.delivery.updateMany({ where: { shop: SHOP }, data: { status: "pending", reason: null, nextAttemptAt: new Date(0) } });
    const other = await relay.db.order.create({ data: { shop: "still-installed.myshopify.com", shopifyOrderId: "1", name: "#1", payload: "{}" } });
    const kept = await relay.db.delivery.create({
      data: { shop: "still-installed.myshopify.com", orderId: other.id, network: "refersion", kind: "conversion", nextAttemptAt: new Date(0) },
    });
    const claimed = await claimDueDeliveries(relay.db, { owner: "w1", limit: 10, perTarget: 10, leaseMs: 60_000, now: new Date() });
    expect(claimed.map((c) => c.id)).toEqual([kept.id]);
  });
});

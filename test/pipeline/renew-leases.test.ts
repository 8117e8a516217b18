// Renewing claims just before sending (app/pipeline/renew-leases.server.ts): a claim with most of its lease left
// is only checked, not rewritten; one that ran low is extended; one taken by another claim is lost either way.
import { afterEach, describe, expect, it } from "vitest";
import { claimDueDeliveries, recoverExpiredLeases } from "../../app/pipeline/claim.server.ts";
import { renewLease } from "../../app/pipeline/renew-leases.server.ts";
import { databaseKinds } from "../support/databases.ts";
import { startRelay, type Relay } from "./support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";

describe.each(databaseKinds)("renewing leases on %s", (kind) => {
  let relay: Relay;
  afterEach(async () => relay?.close());

  it("checks a fresh claim without rewriting it, extends one that ran low, and loses one taken meanwhile", async () => {
    relay = await startRelay(kind);
    for (let n = 1; n <= 3; n++) await relay.post("orders/paid", attributedOrder(n, { attributed: false })); // Refersion only
    const t0 = new Date();
    const leaseMs = 80_000;
    const [fresh, low, taken] = await claimDueDeliveries(relay.db, { owner: "w1", limit: 10, perTarget: 10, leaseMs, now: t0 });
    expect(fresh?.leaseExpiresAt?.getTime()).toBe(t0.getTime() + leaseMs);
    // The third's lease ran out and another worker took the row.
    await relay.db.delivery.update({ where: { id: taken!.id }, data: { leaseExpiresAt: t0 } });
    expect(await recoverExpiredLeases(relay.db, new Date(t0.getTime() + 1))).toBe(1);
    expect(await claimDueDeliveries(relay.db, { owner: "w2", limit: 10, perTarget: 10, leaseMs, now: new Date(t0.getTime() + 1) })).toHaveLength(1);

    const soon = new Date(t0.getTime() + 5_000); // 75 of 80 s left: fresh
    const ctx = { db: relay.db, leaseMs, now: () => soon };
    expect(await Promise.all([renewLease(ctx, fresh!), renewLease(ctx, taken!)])).toEqual(["held", "lost"]);
    const rowOf = (id: string) => relay.db.delivery.findUniqueOrThrow({ where: { id } });
    expect((await rowOf(fresh!.id)).leaseExpiresAt?.getTime()).toBe(t0.getTime() + leaseMs);

    const later = new Date(t0.getTime() + 30_000); // 50 of 80 s left: extended from now
    expect(await renewLease({ db: relay.db, leaseMs, now: () => later }, low!)).toBe("held");
    expect((await rowOf(low!.id)).leaseExpiresAt?.getTime()).toBe(later.getTime() + leaseMs);
  });
});

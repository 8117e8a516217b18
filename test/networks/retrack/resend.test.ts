// Retrack through the worker when a conversion is sent a second time: the first success reached Retrack but was
// never recorded here (the row is back to pending, without a uuid, as after its lease ran out). Retrack refuses
// the second create as a duplicate; the worker looks the transaction up, records the conversion as delivered with
// its uuid, and the cancellation that follows reaches that transaction.
import { afterEach, describe, expect, it } from "vitest";
import { databaseKinds } from "../../support/databases.ts";
import { SHOP, startRelay, type Relay } from "../../pipeline/support/harness.ts";
import { attributedOrder } from "../../../devkit/orders/attributed-order.ts";
import { RetrackSimulator } from "../../../app/networks/retrack/simulator.ts";

describe.each(databaseKinds)("Retrack after a resend on %s", (kind) => {
  let relay: Relay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it("recovers the uuid, marks the conversion delivered, and a later cancellation rejects the transaction", async () => {
    relay = await startRelay(kind);
    // One worker at a time: an earlier one left polling could claim the delivery the next one is waited on for.
    const drain = async () => {
      const worker = relay!.worker();
      await worker.idle();
      await worker.stop();
    };
    const paid = attributedOrder(3);
    expect(await relay.post("orders/paid", paid)).toBe(200);
    await drain();
    const first = await relay.db.delivery.findFirstOrThrow({ where: { shop: SHOP, network: "retrack", kind: "conversion" } });
    const uuid = first.externalRef!;
    expect(relay.sims.simulator("retrack", RetrackSimulator).transactions.get(uuid)?.status).toBe("pending");

    // The success was never written down: the delivery is taken up again as if its lease had run out.
    await relay.db.delivery.update({ where: { id: first.id }, data: { status: "pending", externalRef: null, completedAt: null, nextAttemptAt: new Date(0) } });
    await drain();
    const again = await relay.db.delivery.findUniqueOrThrow({ where: { id: first.id } });
    expect([again.status, again.externalRef, again.lastStatus]).toEqual(["succeeded", uuid, 422]);
    expect(again.reason).toMatch(/looked up by order number/);
    expect(relay.sims.simulator("retrack", RetrackSimulator).transactions.size).toBe(1);

    expect(await relay.post("orders/cancelled", { ...paid, cancelled_at: "2026-11-21T10:00:00-05:00" })).toBe(200);
    await drain();
    const cancellation = await relay.db.delivery.findFirstOrThrow({ where: { shop: SHOP, network: "retrack", kind: "cancellation" } });
    expect(cancellation.status).toBe("succeeded");
    expect(relay.sims.simulator("retrack", RetrackSimulator).transactions.get(uuid)?.status).toBe("rejected");
  });
});

// The worker yields to ingestion: the share of its concurrency it may use (WorkerOptions.share) is asked before
// every claim, so a busy serving process (app/server/event-loop-pacing.server.ts) holds deliveries back, and they
// catch up when it is calm again. Driven by a controlled share and a controlled delay reading, never by timing.
import { afterEach, describe, expect, it } from "vitest";
import { createPacer } from "../../app/server/event-loop-pacing.server.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { databaseKinds } from "../support/databases.ts";
import { startRelay, type Relay } from "./support/harness.ts";

describe("event-loop pacing", () => {
  it("halves the share while the loop lags, never below its floor, and grows it back step by step when calm", () => {
    const pacer = createPacer({ easyMs: 20, busyMs: 40, minShare: 0.1, step: 0.25 });
    expect(pacer.share()).toBe(1);
    pacer.observe(30); // between the two: unchanged
    expect(pacer.share()).toBe(1);
    pacer.observe(80);
    expect(pacer.share()).toBe(0.5);
    for (let i = 0; i < 10; i++) pacer.observe(500);
    expect(pacer.share()).toBe(0.1);
    pacer.observe(5);
    expect(pacer.share()).toBeCloseTo(0.35);
    for (let i = 0; i < 10; i++) pacer.observe(5);
    expect(pacer.share()).toBe(1);
  });
});

describe.each(databaseKinds)("a worker given a share on %s", (kind) => {
  let relay: Relay;
  afterEach(async () => relay?.close());

  it("claims nothing while its share is 0, then delivers everything once the share comes back", async () => {
    relay = await startRelay(kind);
    for (let i = 1; i <= 10; i++) expect(await relay.post("orders/paid", attributedOrder(i))).toBe(200);
    let share = 0;
    let asked = 0;
    let reachedThirdTurn!: () => void;
    const thirdTurn = new Promise<void>((resolve) => (reachedThirdTurn = resolve));
    const worker = relay.worker({
      concurrency: 8,
      share: () => {
        if (++asked === 3) reachedThirdTurn();
        return share;
      },
    });
    // Three turns of the worker's loop asked for its share and got 0: it claimed nothing, sent nothing.
    await thirdTurn;
    expect(await relay.db.delivery.count({ where: { status: { not: "pending" } } })).toBe(0);
    for (const network of relay.sims.networks) expect(relay.sims.received(network), network).toHaveLength(0);

    share = 1;
    await worker.idle();
    expect(await relay.db.delivery.count({ where: { status: { not: "succeeded" } } })).toBe(0);
    expect(await relay.db.delivery.count()).toBe(10 * relay.sims.networks.length);
  });
});

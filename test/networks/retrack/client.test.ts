// The Retrack adapter against the loopback Retrack: uuid from the create answer, update, reject, approval lock.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { retrack } from "../../../app/networks/retrack/index.ts";
import { RETRACK_DOCUMENTED_EVENT, retrackFullExampleOrder } from "../../fixtures/documented-orders.ts";
import { shopifyRefund } from "../../../devkit/orders/shopify-order.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../../devkit/simulators/network-simulators.ts";
import { ctx, deliver, priced, pricedRefund, sent } from "../helpers.ts";
import { RetrackSimulator } from "../../../app/networks/retrack/simulator.ts";

let sims: NetworkSimulators;
let settings: { enabled: boolean; apiToken: string; eventId: string };

beforeAll(async () => {
  sims = await startNetworkSimulators({ timeoutHoldMs: 3_000 });
  settings = { enabled: true, apiToken: sims.credentials.retrack.apiToken, eventId: RETRACK_DOCUMENTED_EVENT };
});
afterEach(() => {
  sims.reset();
  vi.unstubAllEnvs();
});
afterAll(() => sims.close());

function useSimulators() {
  for (const [name, value] of Object.entries(sims.env)) vi.stubEnv(name, value);
}

async function create() {
  useSimulators();
  return deliver(retrack, sent(retrack.mapConversion(priced(retrackFullExampleOrder()), settings, ctx)));
}

describe("Retrack client against its loopback server", () => {
  it("creates a transaction and keeps the uuid from the answer", async () => {
    const { classification } = await create();
    expect(classification.kind).toBe("success");
    const uuid = classification.kind === "success" ? classification.externalRef : undefined;
    expect(uuid).toBe(sims.simulator("retrack", RetrackSimulator).byOrderNumber("692549563")?.uuid);
  });

  it("updates the transaction after a partial refund, and rejects it on cancellation", async () => {
    const created = await create();
    const uuid = created.classification.kind === "success" ? created.classification.externalRef! : "";
    const { order, refund } = pricedRefund(
      retrackFullExampleOrder(),
      shopifyRefund({ orderId: 5_900_000_002, currency: "SEK", lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 125_000, tax: 25_000 }] }),
    );
    const update = await deliver(retrack, sent(retrack.mapRefund(order, refund, settings, { sendTestOrders: false, externalRef: uuid })));
    expect(update.classification.kind).toBe("success");
    expect(sims.simulator("retrack", RetrackSimulator).transactions.get(uuid)?.body).toMatchObject({ orderSum: 30_000, vatSum: 7_500 });
    const cancel = await deliver(retrack, sent(retrack.mapCancellation(order, settings, { sendTestOrders: false, externalRef: uuid })));
    expect(cancel.classification.kind).toBe("success");
    expect(sims.simulator("retrack", RetrackSimulator).transactions.get(uuid)?.status).toBe("rejected");
  });

  it("stops, without retrying, once Retrack has approved the transaction", async () => {
    const created = await create();
    const uuid = created.classification.kind === "success" ? created.classification.externalRef! : "";
    sims.simulator("retrack", RetrackSimulator).approve(uuid);
    const cancel = await deliver(retrack, sent(retrack.mapCancellation(priced(retrackFullExampleOrder()), settings, { sendTestOrders: false, externalRef: uuid })));
    expect(cancel.classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/already approved/) });
  });

  it("classifies bad tokens, server errors, 429, timeouts and answers without a uuid", async () => {
    useSimulators();
    const request = sent(retrack.mapConversion(priced(retrackFullExampleOrder()), { ...settings, apiToken: "wrong" }, ctx));
    expect((await deliver(retrack, request)).classification.kind).toBe("credentials_rejected");
    const good = sent(retrack.mapConversion(priced(retrackFullExampleOrder()), settings, ctx));
    sims.failNext("retrack", "5xx");
    expect((await deliver(retrack, good)).classification.kind).toBe("retry");
    sims.failNext("retrack", "429");
    expect((await deliver(retrack, good)).classification).toMatchObject({ kind: "retry", retryAfterMs: 1000 });
    sims.failNext("retrack", "timeout");
    expect((await deliver(retrack, good, 200)).classification).toMatchObject({ kind: "retry", reason: expect.stringMatching(/timed out/) });
    sims.failNext("retrack", "malformed");
    expect((await deliver(retrack, good)).classification).toMatchObject({ kind: "retry", reason: expect.stringMatching(/without a transaction uuid/) });
    sims.failNext("retrack", "401");
    expect((await deliver(retrack, good)).classification.kind).toBe("credentials_rejected");
    expect(sims.accepted("retrack")).toHaveLength(0);
    expect((await deliver(retrack, good)).classification.kind).toBe("success");
    expect(sims.accepted("retrack")).toHaveLength(1);
  });

  it("refuses sums that do not add up", async () => {
    useSimulators();
    const request = sent(retrack.mapConversion(priced(retrackFullExampleOrder()), settings, ctx));
    const broken = { ...request, body: { ...(request.body as object), discountSum: 1 } };
    expect((await deliver(retrack, broken)).classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/not orderSum/) });
  });

  it("a create sent again (its first success was never recorded) is delivered with the uuid looked up by order number", async () => {
    useSimulators();
    const request = sent(retrack.mapConversion(priced(retrackFullExampleOrder()), settings, ctx));
    const first = await deliver(retrack, request);
    expect(first.classification.kind).toBe("success");
    const uuid = first.classification.kind === "success" ? first.classification.externalRef : undefined;
    const again = await deliver(retrack, request);
    expect(again.result.ok && again.result.response.status).toBe(422);
    expect(again.classification).toMatchObject({ kind: "success", externalRef: uuid, note: expect.stringMatching(/looked up by order number/) });
    expect(sims.simulator("retrack", RetrackSimulator).transactions.size).toBe(1);
    const lookup = sims.received("retrack").find((r) => r.kind === "lookup");
    expect(lookup).toMatchObject({ method: "GET", path: "/api/v2/transactions", query: { byOrderNumber: "692549563" }, status: 200, accepted: false });
    expect(lookup?.headers.authorization).toBe(`Bearer ${settings.apiToken}`);
  });

  it("looks up nothing for any other 422", async () => {
    useSimulators();
    const request = sent(retrack.mapConversion(priced(retrackFullExampleOrder()), settings, ctx));
    // A click that is not a UUID: an ordinary 422, permanent, and no lookup.
    const invalid = { ...request, body: { ...(request.body as object), click: "not-a-uuid" } };
    expect((await deliver(retrack, invalid)).classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/click must be/) });
    expect(sims.received("retrack").map((r) => r.kind)).toEqual(["conversion"]);
  });
});

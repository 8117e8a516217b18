// The Refersion adapter against the loopback Refersion: success and every failure class.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { refersion } from "../../../app/networks/refersion/index.ts";
import type { NetworkRequest } from "../../../app/networks/types.ts";
import { refersionDocumentedOrder } from "../../fixtures/documented-orders.ts";
import { shopifyRefund } from "../../../devkit/orders/shopify-order.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../../devkit/simulators/network-simulators.ts";
import { ctx, deliver, priced, pricedRefund, sent } from "../helpers.ts";
import { RefersionSimulator } from "../../../app/networks/refersion/simulator.ts";

let sims: NetworkSimulators;
let settings: { enabled: boolean; publicKey: string; secretKey: string };

beforeAll(async () => {
  sims = await startNetworkSimulators({ timeoutHoldMs: 3_000, retryAfterSeconds: 2 });
  settings = { ...sims.credentials.refersion };
});
afterEach(() => {
  sims.reset();
  vi.unstubAllEnvs();
});
afterAll(() => sims.close());

function conversion(overrides: Partial<typeof settings> = {}): NetworkRequest {
  for (const [name, value] of Object.entries(sims.env)) vi.stubEnv(name, value);
  return sent(refersion.mapConversion(priced(refersionDocumentedOrder()), { ...settings, ...overrides }, ctx));
}

describe("Refersion client against its loopback server", () => {
  it("delivers a conversion that the server accepts as valid", async () => {
    const { classification } = await deliver(refersion, conversion());
    expect(classification).toEqual({ kind: "success" });
    const [accepted] = sims.accepted("refersion");
    expect(accepted?.body).toMatchObject({ order_id: "20150401102883", currency_code: "USD", discount: 2.25 });
  });

  it("reports bad keys as credentials rejected", async () => {
    const { classification } = await deliver(refersion, conversion({ secretKey: "wrong" }));
    expect(classification.kind).toBe("credentials_rejected");
    expect(sims.accepted("refersion")).toHaveLength(0);
  });

  it("retries a server error, a 429 with its Retry-After, a timeout and a broken answer", async () => {
    sims.failNext("refersion", "5xx");
    expect((await deliver(refersion, conversion())).classification.kind).toBe("retry");
    sims.failNext("refersion", "429");
    expect((await deliver(refersion, conversion())).classification).toMatchObject({ kind: "retry", retryAfterMs: 2000 });
    sims.failNext("refersion", "timeout");
    const timedOut = await deliver(refersion, conversion(), 200);
    expect(timedOut.result).toMatchObject({ ok: false, timedOut: true });
    expect(timedOut.classification.kind).toBe("retry");
    sims.failNext("refersion", "malformed");
    expect((await deliver(refersion, conversion())).classification.kind).toBe("retry");
    sims.failNext("refersion", "401");
    expect((await deliver(refersion, conversion())).classification.kind).toBe("credentials_rejected");
    expect(sims.accepted("refersion")).toHaveLength(0);
    expect(sims.received("refersion").map((r) => r.injected)).toEqual(["5xx", "429", "timeout", "malformed", "401"]);
  });

  it("refuses a body that breaks the contract (a mapper bug shows up as a permanent failure)", async () => {
    const request = conversion();
    const body = request.body as { items: Array<Record<string, unknown>> };
    body.items[0]!.price = "5.50";
    const { classification } = await deliver(refersion, request);
    expect(classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/items\.0\.price must be a JSON number/) });
  });

  it("cancels a conversion, whole or per refunded item, and refuses to cancel more than was ordered", async () => {
    await deliver(refersion, conversion());
    const { order, refund } = pricedRefund(
      refersionDocumentedOrder(),
      shopifyRefund({ orderId: 5_900_000_001, lines: [{ lineItemId: 10_002, quantity: 3, subtotal: 463 }] }),
    );
    expect((await deliver(refersion, sent(refersion.mapRefund(order, refund, settings, ctx)))).classification.kind).toBe("success");
    const rest = await deliver(refersion, sent(refersion.mapCancellation(order, settings, ctx)));
    expect(rest.classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/only 1 of PROD_C left/) });
    expect(sims.simulator("refersion", RefersionSimulator).conversions.get("20150401102883")?.cancelled.get("PROD_C")).toBe(3);
  });
});

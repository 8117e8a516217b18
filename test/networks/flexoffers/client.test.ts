// The FlexOffers adapter against the loopback postback: 200 answers that are failures, and the usual classes.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { flexoffers } from "../../../app/networks/flexoffers/index.ts";
import { flexoffersDocumentedOrder } from "../../fixtures/documented-orders.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../../devkit/simulators/network-simulators.ts";
import { ctx, deliver, priced, sent } from "../helpers.ts";

let sims: NetworkSimulators;
let settings: { enabled: boolean; advertiserId: string; commissionId: string; cookieDays: number };

beforeAll(async () => {
  sims = await startNetworkSimulators({ timeoutHoldMs: 3_000 });
  settings = { enabled: true, advertiserId: sims.credentials.flexoffers.advertiserId, commissionId: "", cookieDays: 30 };
});
afterEach(() => {
  sims.reset();
  vi.unstubAllEnvs();
});
afterAll(() => sims.close());

function postback(overrides: Partial<typeof settings> = {}) {
  for (const [name, value] of Object.entries(sims.env)) vi.stubEnv(name, value);
  return sent(flexoffers.mapConversion(priced(flexoffersDocumentedOrder()), { ...settings, ...overrides }, ctx));
}

describe("FlexOffers client against its loopback postback", () => {
  it("records the sale", async () => {
    const { classification } = await deliver(flexoffers, postback());
    expect(classification.kind).toBe("success");
    expect(sims.accepted("flexoffers")[0]?.query).toMatchObject({ clickid: "110097545FOF41509727756072518", orderamount: "55.00", ordernumber: "1042" });
  });

  it('treats HTTP 200 "No click ID found" as a failure the merchant sees', async () => {
    sims.failNext("flexoffers", "no-click");
    const { result, classification } = await deliver(flexoffers, postback());
    expect(result.ok && result.response.status).toBe(200);
    expect(classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/did not recognise the click/) });
  });

  it("treats an unknown advertiser id as rejected credentials", async () => {
    expect((await deliver(flexoffers, postback({ advertiserId: "someone-else" }))).classification.kind).toBe("credentials_rejected");
  });

  it("retries server errors, 429, timeouts and error pages served with 200", async () => {
    const request = postback();
    sims.failNext("flexoffers", "5xx");
    expect((await deliver(flexoffers, request)).classification.kind).toBe("retry");
    sims.failNext("flexoffers", "429");
    expect((await deliver(flexoffers, request)).classification).toMatchObject({ kind: "retry", retryAfterMs: 1000 });
    sims.failNext("flexoffers", "timeout");
    expect((await deliver(flexoffers, request, 200)).result).toMatchObject({ ok: false, timedOut: true });
    sims.failNext("flexoffers", "malformed");
    expect((await deliver(flexoffers, request)).classification).toMatchObject({ kind: "retry", reason: expect.stringMatching(/error page/) });
    sims.failNext("flexoffers", "401");
    expect((await deliver(flexoffers, request)).classification.kind).toBe("credentials_rejected");
    expect(sims.accepted("flexoffers")).toHaveLength(0);
  });

  it("refuses an amount written with the wrong number of decimals", async () => {
    const request = postback();
    const url = new URL(request.url);
    url.searchParams.set("orderamount", "55");
    const { classification } = await deliver(flexoffers, { ...request, url: url.toString() });
    expect(classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/2 decimals/) });
  });
});

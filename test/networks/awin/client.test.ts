// The Awin adapter against its loopback simulator over HTTP: what Awin records, and every failure class.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { combineAwinRequests } from "../../../app/networks/awin/batch.ts";
import { awin } from "../../../app/networks/awin/index.ts";
import type { AwinSettings } from "../../../app/networks/awin/settings.ts";
import { redactRequest } from "../../../app/networks/http.ts";
import type { NetworkRequest } from "../../../app/networks/types.ts";
import { shopifyOrder } from "../../../devkit/orders/shopify-order.ts";
import { ctx, deliver, priced, sent } from "../helpers.ts";
import { AwinSimulator } from "../../../app/networks/awin/simulator.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../../devkit/simulators/network-simulators.ts";

// The rate limit reads this clock: it starts from the real now and moves only when a test moves it.
let clock = Date.now();
let sims: NetworkSimulators;
let settings: AwinSettings;

beforeAll(async () => {
  sims = await startNetworkSimulators({ networks: ["awin"], now: () => clock, timeoutHoldMs: 3_000 });
  settings = { ...sims.credentials.awin, commissionGroup: "", cookieDays: 30 };
});
afterEach(() => {
  sims.reset();
  clock += 120_000;
  vi.unstubAllEnvs();
});
afterAll(() => sims.close());

const awcFor = (n: number) => `1001_1732096800_${n.toString(16).padStart(32, "0")}`;

function conversion(n = 1, overrides: Partial<AwinSettings> = {}): NetworkRequest {
  vi.stubEnv("AWIN_API_URL", sims.env.AWIN_API_URL!);
  const payload = shopifyOrder({ id: 5_000_000_000 + n, name: `#${1000 + n}`, lines: [{ quantity: 2, unitPrice: 2_750 }], noteAttributes: { _awin_awc: awcFor(n) } });
  return sent(awin.mapConversion(priced(payload), { ...settings, ...overrides }, ctx));
}

describe("Awin client against its loopback Conversion API", () => {
  it("records the order, once", async () => {
    const { classification } = await deliver(awin, conversion());
    expect(classification.kind).toBe("success");
    expect(sims.accepted("awin")).toHaveLength(1);
    expect(sims.simulator("awin", AwinSimulator).orders.get("1001")).toMatchObject({ orderReference: "1001", amount: 55, channel: "aw", currency: "USD", awc: awcFor(1), isTest: false });
  });

  it("treats a repeat of an order Awin already has as done, without recording it twice", async () => {
    const request = conversion();
    expect((await deliver(awin, request)).classification.kind).toBe("success");
    expect((await deliver(awin, request)).classification.kind).toBe("success");
    expect(sims.simulator("awin", AwinSimulator).orders.size).toBe(1);
    expect(sims.accepted("awin")).toHaveLength(1);
  });

  it("sends the key only in x-api-key, and never shows it", async () => {
    const request = conversion();
    await deliver(awin, request);
    expect(sims.received("awin")[0]?.headers["x-api-key"]).toBe(settings.apiKey);
    expect(JSON.stringify(redactRequest(request))).not.toContain(settings.apiKey);
  });

  it("treats a 200 whose body reports errors for the order as a failure the merchant sees", async () => {
    const request = conversion();
    const body = request.body as { orders: Array<Record<string, unknown>> };
    const broken = { ...request, body: { orders: [{ ...body.orders[0], amount: "55.00" }] } };
    const { result, classification } = await deliver(awin, broken);
    expect(result.ok && result.response.status).toBe(200);
    expect(classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/did not record the order: order 1001: amount must be a JSON number, not a string/) });
    expect(sims.accepted("awin")).toHaveLength(0);
  });

  it("treats a changed order under a reference Awin already has as a failure", async () => {
    await deliver(awin, conversion());
    const changed = conversion(1, { commissionGroup: "OTHER" });
    expect((await deliver(awin, changed)).classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/already recorded with other values/) });
  });

  it("marks a wrong key, a key sent the wrong way and another advertiser as rejected credentials", async () => {
    const wrongKey = await deliver(awin, conversion(1, { apiKey: "not-the-key" }));
    expect(wrongKey.classification).toMatchObject({ kind: "credentials_rejected", reason: expect.stringMatching(/did not accept the API key \(401\)/) });
    const request = conversion();
    const bearer = { ...request, headers: { "Content-Type": "application/json", Authorization: `Bearer ${settings.apiKey}` }, secretHeaders: ["Authorization"] };
    expect((await deliver(awin, bearer)).classification.kind).toBe("credentials_rejected");
    const other = await deliver(awin, conversion(1, { advertiserId: "2002" }));
    expect(other.classification).toMatchObject({ kind: "credentials_rejected", reason: expect.stringMatching(/may not reach advertiser 2002/) });
    expect(sims.accepted("awin")).toHaveLength(0);
  });

  it("answers Awin's rate limit with 429 and Retry-After, which the relay honours", async () => {
    for (let n = 1; n <= 20; n++) expect((await deliver(awin, conversion(n))).classification.kind).toBe("success");
    clock += 15_000;
    const limited = await deliver(awin, conversion(21));
    expect(limited.result.ok && limited.result.response.status).toBe(429);
    expect(limited.classification).toEqual({ kind: "retry", reason: expect.stringMatching(/429 \(too many requests\)/), retryAfterMs: 45_000 });
    clock += 45_000;
    expect((await deliver(awin, conversion(21))).classification.kind).toBe("success");
    expect(sims.simulator("awin", AwinSimulator).orders.size).toBe(21);
  });

  it("retries server errors, 429, timeouts and answers that are not JSON", async () => {
    const request = conversion();
    sims.failNext("awin", "5xx");
    expect((await deliver(awin, request)).classification.kind).toBe("retry");
    sims.failNext("awin", "429");
    expect((await deliver(awin, request)).classification).toMatchObject({ kind: "retry", retryAfterMs: 1000 });
    sims.failNext("awin", "timeout");
    const timedOut = await deliver(awin, request, 200);
    expect(timedOut.result).toMatchObject({ ok: false, timedOut: true });
    expect(timedOut.classification.kind).toBe("retry");
    sims.failNext("awin", "malformed");
    expect((await deliver(awin, request)).classification).toMatchObject({ kind: "retry", reason: expect.stringMatching(/not a JSON result/) });
    sims.failNext("awin", "401");
    expect((await deliver(awin, request)).classification.kind).toBe("credentials_rejected");
    expect(sims.accepted("awin")).toHaveLength(0);
    expect((await deliver(awin, request)).classification.kind).toBe("success");
  });

  it("retries when Awin cannot be reached, without the key in the error", async () => {
    vi.stubEnv("AWIN_API_URL", "http://127.0.0.1:1");
    const payload = shopifyOrder({ lines: [{ quantity: 1, unitPrice: 100 }], noteAttributes: { _awin_awc: awcFor(9) } });
    const { result, classification } = await deliver(awin, sent(awin.mapConversion(priced(payload), settings, ctx)));
    expect(result.ok).toBe(false);
    expect(classification).toMatchObject({ kind: "retry", reason: expect.stringMatching(/connection failed/) });
    expect(JSON.stringify(classification)).not.toContain(settings.apiKey);
  });

  it("refuses a batch of more than 1,000 orders as a permanent failure", async () => {
    const one = (conversion().body as { orders: Array<Record<string, unknown>> }).orders[0]!;
    const orders = Array.from({ length: 1001 }, (_, n) => ({ ...one, orderReference: `R${n}` }));
    const { classification } = await deliver(awin, { ...conversion(), body: { orders } });
    expect(classification).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/at most 1000 orders/) });
    expect(sims.simulator("awin", AwinSimulator).orders.size).toBe(0);
  });

  it("sends a combined batch of one shop's orders as one call, and Awin records every order", async () => {
    const requests = Array.from({ length: 25 }, (_, n) => conversion(n + 1));
    const { classification } = await deliver(awin, combineAwinRequests(requests));
    expect(classification.kind).toBe("success");
    expect(sims.received("awin")).toHaveLength(1);
    expect([...sims.simulator("awin", AwinSimulator).orders.keys()]).toEqual(requests.map((_, n) => String(1001 + n)));
  });
});

describe("Awin credentials check (test connection)", () => {
  const check = (overrides: Partial<AwinSettings> = {}) => {
    vi.stubEnv("AWIN_API_URL", sims.env.AWIN_API_URL!);
    return awin.checkCredentials!({ ...settings, ...overrides }, {});
  };

  it("accepts a key whose user reaches the advertiser, and says what it could not check", async () => {
    const result = await check();
    expect(result).toEqual({ outcome: "accepted", message: expect.stringMatching(/can reach advertiser 1001\. Not checked: whether Awin has enabled the Conversion API/) });
    expect(sims.received("awin")[0]).toMatchObject({ method: "GET", path: "/accounts", headers: expect.objectContaining({ authorization: `Bearer ${settings.apiKey}` }) });
    expect(sims.simulator("awin", AwinSimulator).orders.size).toBe(0);
  });

  it("asks nothing while the advertiser id or the key is missing", async () => {
    expect(await check({ apiKey: "" })).toMatchObject({ outcome: "unverified", message: expect.stringMatching(/Nothing was asked/) });
    expect(await check({ advertiserId: "" })).toMatchObject({ outcome: "unverified" });
    expect(sims.received("awin")).toHaveLength(0);
  });

  it("rejects a wrong key, and an advertiser the key's user cannot reach", async () => {
    expect(await check({ apiKey: "nope" })).toMatchObject({ outcome: "rejected", message: expect.stringMatching(/did not accept the API key \(401\)/) });
    expect(await check({ advertiserId: "2002" })).toMatchObject({ outcome: "rejected", message: expect.stringMatching(/cannot reach advertiser 2002/) });
  });

  it("cannot tell when Awin fails or throttles, and says so", async () => {
    sims.failNext("awin", "5xx");
    expect((await check()).outcome).toBe("unverified");
    sims.failNext("awin", "429");
    expect((await check()).outcome).toBe("unverified");
    sims.failNext("awin", "malformed");
    expect((await check()).outcome).toBe("unverified");
    vi.stubEnv("AWIN_API_URL", "http://127.0.0.1:1");
    const unreachable = await awin.checkCredentials!(settings, {});
    expect(unreachable.outcome).toBe("unverified");
    expect(unreachable.message).not.toContain(settings.apiKey);
  });
});

// The Awin simulator enforces the contract README.md lists, so that a relay bug cannot pass as a success.
import { describe, expect, it } from "vitest";
import { AwinSimulator } from "../../../app/networks/awin/simulator.ts";
import type { IncomingRequest } from "../../../devkit/simulators/types.ts";

const KEY = "awin-token";
const AWC = "1001_1732096800_3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e";
const valid = { orderReference: "1001", amount: 12.5, channel: "aw", currency: "USD", awc: AWC, isTest: false, commissionGroups: [{ code: "DEFAULT", amount: 12.5 }] };

function post(body: unknown, overrides: Partial<IncomingRequest> = {}): IncomingRequest {
  return {
    method: "POST",
    path: "/s2s/advertiser/1001/orders",
    query: {},
    headers: { "x-api-key": KEY, "content-type": "application/json" },
    rawBody: typeof body === "string" ? body : JSON.stringify(body),
    ...overrides,
  };
}
const simulator = (now = Date.now()) => new AwinSimulator({ advertiserId: "1001", apiKey: KEY, now: () => now });
const problemsOf = (order: Record<string, unknown>) => simulator().handle(post({ orders: [order] })).problems ?? [];

describe("Awin simulator: the Conversion API contract", () => {
  it("records a valid order and answers which orders it took", () => {
    const sim = simulator();
    const answer = sim.handle(post({ orders: [valid] }));
    expect(answer).toMatchObject({ status: 200, accepted: true, problems: [] });
    expect(JSON.parse(answer.body)).toEqual({ orders: [{ orderReference: "1001", status: "accepted" }] });
    expect(sim.orders.get("1001")).toEqual(valid);
  });

  it("wants the key in x-api-key, the advertiser of that key in the path, a POST and JSON", () => {
    expect(simulator().handle(post({ orders: [valid] }, { headers: { "content-type": "application/json" } })).status).toBe(401);
    expect(simulator().handle(post({ orders: [valid] }, { headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" } })).status).toBe(401);
    expect(simulator().handle(post({ orders: [valid] }, { path: "/s2s/advertiser/2002/orders" })).status).toBe(403);
    expect(simulator().handle(post({ orders: [valid] }, { method: "GET" })).status).toBe(405);
    expect(simulator().handle(post({ orders: [valid] }, { headers: { "x-api-key": KEY, "content-type": "text/plain" } })).status).toBe(400);
    expect(simulator().handle(post("{not json")).status).toBe(400);
    expect(simulator().handle(post([valid])).status).toBe(400);
    expect(simulator().handle(post({ orders: [] })).status).toBe(400);
  });

  it("takes at most 1,000 orders in a batch", () => {
    const orders = (count: number) => Array.from({ length: count }, (_, n) => ({ ...valid, orderReference: `R${n}` }));
    expect(simulator().handle(post({ orders: orders(1000) })).accepted).toBe(true);
    expect(simulator().handle(post({ orders: orders(1001) }))).toMatchObject({ status: 400, accepted: false, problems: ["a batch holds at most 1000 orders, this one 1001"] });
  });

  it("requires orderReference (at most 50 characters), amount, channel, currency, commission groups and an attribution", () => {
    for (const field of ["orderReference", "amount", "channel", "currency", "commissionGroups"]) {
      const { [field]: _dropped, ...rest } = valid as Record<string, unknown>;
      expect(problemsOf(rest).length, field).toBeGreaterThan(0);
    }
    const { awc: _awc, ...unattributed } = valid;
    expect(problemsOf(unattributed)).toEqual(["orders.0: one of awc, voucher, or publisherId with clickTime is required"]);
    expect(problemsOf({ ...unattributed, voucher: "10_OFF" })).toEqual([]);
    expect(problemsOf({ ...unattributed, publisherId: 45628, clickTime: 1732096800 })).toEqual([]);
    expect(problemsOf({ ...unattributed, publisherId: 45628 })).toContain("orders.0: publisherId and clickTime go together, both integers");
    expect(problemsOf({ ...valid, orderReference: "R".repeat(51) })).toEqual(["orders.0: orderReference is longer than 50 characters"]);
  });

  it("checks field types: amounts as JSON numbers in the currency's decimals, booleans, known currencies and codes", () => {
    expect(problemsOf({ ...valid, amount: "12.50", commissionGroups: [{ code: "DEFAULT", amount: "12.50" }] })).toContain("orders.0: amount must be a JSON number, not a string");
    expect(problemsOf({ ...valid, currency: "JPY", amount: 12.5, commissionGroups: [{ code: "DEFAULT", amount: 12.5 }] })).toContain("orders.0: amount has 1 decimals, more than the currency's 0");
    expect(problemsOf({ ...valid, amount: 0.30000000000000004, commissionGroups: [{ code: "DEFAULT", amount: 0.30000000000000004 }] })[0]).toMatch(/more than the currency's 2/);
    expect(problemsOf({ ...valid, amount: -1, commissionGroups: [{ code: "DEFAULT", amount: -1 }] })).toContain("orders.0: amount must not be negative");
    expect(problemsOf({ ...valid, currency: "usd" })).toContain("orders.0: currency must be a three-letter ISO 4217 code");
    expect(problemsOf({ ...valid, currency: "ABC" })).toContain("orders.0: currency ABC is not an ISO 4217 currency");
    expect(problemsOf({ ...valid, isTest: "false" })).toEqual(["orders.0: isTest must be true or false"]);
    expect(problemsOf({ ...valid, voucher: 10 })).toEqual(["orders.0: voucher must be a string"]);
    expect(problemsOf({ ...valid, awc: "not-a-click" })).toEqual(["orders.0: awc is not an Awin click checksum"]);
    expect(problemsOf({ ...valid, customerAcquisition: "new" })).toEqual(['orders.0: customerAcquisition must be "NEW" or "RETURNING"']);
    expect(problemsOf({ ...valid, customerAcquisition: "RETURNING" })).toEqual([]);
    expect(problemsOf({ ...valid, commissionGroups: [{ code: "", amount: 12.5 }] })).toEqual(["orders.0: commissionGroups.0.code is required"]);
    expect(problemsOf({ ...valid, commissionGroups: [{ code: "DEFAULT", amount: 10 }] })).toEqual(["orders.0: commissionGroups add up to 1000 minor units, not the amount 1250"]);
    expect(problemsOf({ ...valid, clickId: AWC })).toEqual(["orders.0: clickId is not a Conversion API field"]);
  });

  it("answers per-order problems in a 200 and records the valid orders of the batch", () => {
    const sim = simulator();
    const answer = sim.handle(post({ orders: [valid, { ...valid, orderReference: "1002", amount: "1" }, { ...valid, orderReference: "1001" }] }));
    expect(answer.status).toBe(200);
    expect(answer.accepted).toBe(false);
    expect(JSON.parse(answer.body).orders.map((order: { status: string }) => order.status)).toEqual(["accepted", "rejected", "rejected"]);
    expect([...sim.orders.keys()]).toEqual(["1001"]);
  });

  it("throttles each user to 20 calls a minute, with Retry-After until the oldest call leaves the window", () => {
    let now = Date.now();
    const sim = new AwinSimulator({ advertiserId: "1001", apiKey: KEY, now: () => now });
    for (let n = 0; n < 20; n++) {
      expect(sim.handle(post({ orders: [{ ...valid, orderReference: `R${n}` }] })).status).toBe(200);
      now += 1_000;
    }
    const limited = sim.handle(post({ orders: [{ ...valid, orderReference: "R20" }] }));
    expect(limited).toMatchObject({ status: 429, accepted: false, headers: { "retry-after": "40" } });
    expect(sim.orders.has("R20")).toBe(false);
    now += 40_000;
    expect(sim.handle(post({ orders: [{ ...valid, orderReference: "R20" }] })).status).toBe(200);
    // Unauthenticated calls are not the user's.
    expect(sim.handle(post({ orders: [valid] }, { headers: {} })).status).toBe(401);
  });

  it("lists the key's advertiser accounts for a bearer token, and nothing without one", () => {
    const sim = simulator();
    const get = (authorization?: string): IncomingRequest => ({ method: "GET", path: "/accounts", query: { type: "advertiser" }, headers: authorization ? { authorization } : {}, rawBody: "" });
    expect(JSON.parse(sim.handle(get(`Bearer ${KEY}`)).body)).toEqual({ userId: 1, accounts: [{ accountId: 1001, accountName: "Simulated programme", accountType: "advertiser", userRole: "admin" }] });
    expect(sim.handle(get()).status).toBe(401);
    expect(sim.handle(get(KEY)).status).toBe(401);
  });
});

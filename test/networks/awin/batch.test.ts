import { describe, expect, it } from "vitest";
import { AWIN_BATCH_SIZE, AwinBatchError, combineAwinRequests } from "../../../app/networks/awin/batch.ts";
import { classifyAwinEach } from "../../../app/networks/awin/classify.ts";
import { awin } from "../../../app/networks/awin/index.ts";
import type { AwinSettings } from "../../../app/networks/awin/settings.ts";
import type { NetworkRequest } from "../../../app/networks/types.ts";
import { shopifyOrder } from "../../../devkit/orders/shopify-order.ts";
import { ctx, priced, sent } from "../helpers.ts";

const settings: AwinSettings = { enabled: true, advertiserId: "1001", apiKey: "awin-token", commissionGroup: "", cookieDays: 30 };
const request = (n: number, overrides: Partial<AwinSettings> = {}): NetworkRequest =>
  sent(
    awin.mapConversion(
      priced(shopifyOrder({ name: `#${n}`, lines: [{ quantity: 1, unitPrice: 100 * n }], noteAttributes: { _awin_awc: `1001_1732096800_${"a".repeat(31)}${n % 10}` } })),
      { ...settings, ...overrides },
      ctx,
    ),
  );
const ordersOf = (combined: NetworkRequest) => (combined.body as { orders: Array<{ orderReference: string; amount: number }> }).orders;

describe("combining one shop's Awin conversions into one batch", () => {
  it("keeps every order, in order, under the same URL, headers and secret headers", () => {
    const parts = [request(1), request(2), request(3)];
    const combined = combineAwinRequests(parts);
    expect(ordersOf(combined).map((order) => [order.orderReference, order.amount])).toEqual([["1", 1], ["2", 2], ["3", 3]]);
    expect(combined).toMatchObject({ method: "POST", url: parts[0]!.url, headers: parts[0]!.headers, secretHeaders: ["x-api-key"] });
  });

  it("leaves the single requests as they were", () => {
    const parts = [request(1), request(2)];
    const before = JSON.stringify(parts);
    combineAwinRequests(parts);
    expect(JSON.stringify(parts)).toBe(before);
  });

  it("takes a batch of exactly the limit, and refuses one more", () => {
    const parts = Array.from({ length: AWIN_BATCH_SIZE + 1 }, (_, n) => request(n + 1));
    expect(ordersOf(combineAwinRequests(parts.slice(0, AWIN_BATCH_SIZE)))).toHaveLength(1000);
    expect(() => combineAwinRequests(parts)).toThrow(new AwinBatchError("1001 orders exceed Awin's batch limit of 1000"));
    expect(() => combineAwinRequests(parts.slice(0, 3), 2)).toThrow(/3 orders exceed Awin's batch limit of 2/);
  });

  it("refuses to mix advertisers or keys, to repeat an order, or to combine nothing", () => {
    expect(() => combineAwinRequests([request(1), request(2, { advertiserId: "2002" })])).toThrow(/another advertiser or with another key/);
    expect(() => combineAwinRequests([request(1), request(2, { apiKey: "other" })])).toThrow(/another advertiser or with another key/);
    expect(() => combineAwinRequests([request(1), request(1)])).toThrow(/order reference 1 appears twice/);
    expect(() => combineAwinRequests([])).toThrow(/nothing to combine/);
    expect(() => combineAwinRequests([{ ...request(1), body: null }])).toThrow(/not an Awin Conversion API request/);
  });
});

describe("classifying the answer to a combined request, order by order", () => {
  const parts = [request(1), request(2), request(3)];
  const combined = combineAwinRequests(parts);
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  const kinds = (classifications: Array<{ kind: string }>) => classifications.map((c) => c.kind);

  it("fails only the orders Awin reports failed; accepted and duplicate orders are recorded", () => {
    const each = classifyAwinEach(
      answer(200, { orders: [{ orderReference: "1", status: "accepted" }, { orderReference: "2", status: "rejected", errors: ["amount must be a JSON number"] }, { orderReference: "3", status: "duplicate" }] }),
      combined,
      parts,
    );
    expect(kinds(each)).toEqual(["success", "permanent", "success"]);
    expect(each[1]).toMatchObject({ reason: "Awin answered 200 but did not record the order: order 2: amount must be a JSON number" });
  });

  it("matches results by order reference, whatever their order, and asks again about an order the answer leaves out", () => {
    const each = classifyAwinEach(answer(200, { orders: [{ orderReference: "3", status: "accepted" }, { orderReference: "1", status: "accepted" }] }), combined, parts);
    expect(kinds(each)).toEqual(["success", "retry", "success"]);
    expect(each[1]).toMatchObject({ reason: expect.stringMatching(/without a result for order 2/) });
  });

  it("gives every order what is said of the request as a whole", () => {
    expect(kinds(classifyAwinEach(answer(401, { error: "Unauthorized" }), combined, parts))).toEqual(["credentials_rejected", "credentials_rejected", "credentials_rejected"]);
    expect(classifyAwinEach(answer(429, "slow down", { "retry-after": "20" }), combined, parts)).toEqual(Array(3).fill(expect.objectContaining({ kind: "retry", retryAfterMs: 20_000 })));
    expect(kinds(classifyAwinEach(answer(200, { errors: ["batch refused"] }), combined, parts))).toEqual(["permanent", "permanent", "permanent"]);
    expect(kinds(classifyAwinEach(answer(200, "<html>Bad gateway</html>"), combined, parts))).toEqual(["retry", "retry", "retry"]);
    expect(kinds(classifyAwinEach(answer(202, ""), combined, parts))).toEqual(["success", "success", "success"]);
  });

  it("says of a batch of one what classify says of the single request", () => {
    const single = [request(2)];
    for (const body of [{ orders: [{ orderReference: "2", status: "accepted" }] }, { orders: [{ orderReference: "2", status: "rejected", errors: ["no"] }] }, { errors: ["no"] }]) {
      expect(kinds(classifyAwinEach(answer(200, body), single[0]!, single))).toEqual([awin.classify(answer(200, body), single[0]!).kind]);
    }
  });
});

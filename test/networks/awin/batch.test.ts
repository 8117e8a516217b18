import { describe, expect, it } from "vitest";
import { AWIN_BATCH_SIZE, AwinBatchError, combineAwinRequests } from "../../../app/networks/awin/batch.ts";
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

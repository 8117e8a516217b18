import { describe, expect, it } from "vitest";
import { AWC_PATTERN, awinClick } from "../../../app/networks/awin/attribution.ts";
import { awinGoldenExamples } from "../../../app/networks/awin/golden.ts";
import { AWIN_NO_REVERSAL, awin } from "../../../app/networks/awin/index.ts";
import type { AwinSettings } from "../../../app/networks/awin/settings.ts";
import { shopifyOrder, shopifyRefund } from "../../../devkit/orders/shopify-order.ts";
import { ctx, decided, priced, sent, skipped } from "../helpers.ts";

const settings: AwinSettings = { enabled: true, advertiserId: "1001", apiKey: "awin-token", commissionGroup: "", cookieDays: 30 };
const AWC = "1001_1732096800_3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e";
const order = (spec: Partial<Parameters<typeof shopifyOrder>[0]> = {}) =>
  priced(shopifyOrder({ lines: [{ quantity: 2, unitPrice: 1_250 }], noteAttributes: { _awin_awc: AWC }, ...spec }));
const onlyOrder = (decision: ReturnType<typeof awin.mapConversion>) => {
  const body = sent(decision).body as { orders: Array<Record<string, unknown>> };
  expect(body.orders).toHaveLength(1);
  return body.orders[0]!;
};

describe("Awin Conversion API: golden, from Awin's documented examples", () => {
  it.each(awinGoldenExamples.map((example) => [example.name, example] as const))("%s", (_name, example) => {
    const request = sent(awin.mapConversion(priced(shopifyOrder(example.order)), example.settings, ctx));
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`https://api.awin.com/s2s/advertiser/${example.expected.advertiserId}/orders`);
    expect(request.headers).toEqual({ "Content-Type": "application/json", Accept: "application/json", "x-api-key": example.settings.apiKey });
    expect(request.secretHeaders).toEqual(["x-api-key"]);
    expect(request.body).toStrictEqual({ orders: [example.expected.order] });
  });

  it("reads AWIN_API_URL when it builds the request, not when the module loads", () => {
    process.env.AWIN_API_URL = "http://127.0.0.1:9/";
    try {
      expect(sent(awin.mapConversion(order(), settings, ctx)).url).toBe("http://127.0.0.1:9/s2s/advertiser/1001/orders");
    } finally {
      delete process.env.AWIN_API_URL;
    }
  });

  it("names the merchant's commission group, with the whole amount", () => {
    expect(onlyOrder(awin.mapConversion(order(), { ...settings, commissionGroup: "SHOES" }, ctx)).commissionGroups).toEqual([{ code: "SHOES", amount: 25 }]);
  });

  it("sends the first discount code as the voucher, and no voucher field without one", () => {
    expect(onlyOrder(awin.mapConversion(order({ discountCodes: ["SPRING", "VIP"] }), settings, ctx)).voucher).toBe("SPRING");
    expect(onlyOrder(awin.mapConversion(order(), settings, ctx))).not.toHaveProperty("voucher");
  });

  it("writes the amount in the currency's decimals (JPY 0, KWD 3)", () => {
    const amount = (currency: string, unitPrice: number) => onlyOrder(awin.mapConversion(order({ currency, lines: [{ quantity: 2, unitPrice }] }), settings, ctx)).amount;
    expect(amount("JPY", 1_500)).toBe(3_000);
    expect(amount("KWD", 1_234)).toBe(2.468);
    expect(amount("USD", 5)).toBe(0.1);
  });

  it("reports presentment amounts with the presentment currency when the merchant chose it", () => {
    const payload = shopifyOrder({ currency: "USD", presentment: { currency: "EUR", factor: 2 }, lines: [{ quantity: 1, unitPrice: 1_000 }], noteAttributes: { _awin_awc: AWC } });
    expect(onlyOrder(awin.mapConversion(priced(payload, "presentment"), settings, ctx))).toMatchObject({ amount: 20, currency: "EUR" });
    expect(onlyOrder(awin.mapConversion(priced(payload, "shop"), settings, ctx))).toMatchObject({ amount: 10, currency: "USD" });
  });
});

describe("Awin test orders", () => {
  it("skips them unless the merchant sends test orders, and flags them isTest when sent", () => {
    const payload = shopifyOrder({ test: true, lines: [{ quantity: 2, unitPrice: 1_250 }], noteAttributes: { _awin_awc: AWC } });
    expect(skipped(decided(awin, settings, payload))).toMatch(/test order: not sent to Awin/);
    expect(decided(awin, settings, payload, { sendTestOrders: true }).action).toBe("send");
    expect(onlyOrder(awin.mapConversion(order({ test: true }), settings, { sendTestOrders: true })).isTest).toBe(true);
    expect(onlyOrder(awin.mapConversion(order(), settings, { sendTestOrders: true })).isTest).toBe(false);
  });
});

describe("Awin click attribution (the _awin_awc attribute, then awc in landing_site)", () => {
  const LANDING = "1001_1732000000_00112233445566778899aabbccddeeff";
  const clickOf = (noteAttributes: Record<string, string>, landingSite: string | null) =>
    awinClick(priced(shopifyOrder({ lines: [{ quantity: 1, unitPrice: 100 }], noteAttributes, landingSite })));

  it("prefers the cart attribute", () => {
    expect(clickOf({ _awin_awc: AWC }, `/?awc=${LANDING}`)).toMatchObject({ found: true, value: AWC, source: expect.stringMatching(/_awin_awc/) });
  });

  it("falls back to awc in the landing page", () => {
    expect(clickOf({}, `/collections/all?source=aw&awc=${LANDING}&utm_medium=affiliate`)).toMatchObject({ found: true, value: LANDING });
  });

  it("refuses values that are not an Awin click checksum, and says so", () => {
    expect(clickOf({ _awin_awc: "<script>" }, null)).toEqual({ found: false, reason: expect.stringMatching(/"<script>" is not an Awin click checksum/) });
    expect(clickOf({ _awin_awc: "garbage" }, `/?awc=${LANDING}`)).toMatchObject({ found: true, value: LANDING });
  });

  it("skips orders without an Awin click, with a reason", () => {
    expect(skipped(awin.mapConversion(order({ noteAttributes: {}, landingSite: "/?refid=FLEX" }), settings, ctx))).toMatch(/no Awin click on this order/);
  });

  it("accepts click checksums as Awin links carry them, and nothing else", () => {
    for (const value of [AWC, LANDING, "17226_1705690338_d249c2d965f722c9a4dc36cb5d0e9ac2", "2832_1493659540_4B2FCB90C289D279C806CA5138A6C230"]) {
      expect(AWC_PATTERN.test(value), value).toBe(true);
    }
    for (const value of ["", "1001", "1001_1732096800", "1001_173209680_3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e", "1001_1732096800_3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8", `${AWC}x`, `x${AWC}`, `${AWC}\n`, "a_1732096800_3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e"]) {
      expect(AWC_PATTERN.test(value), JSON.stringify(value)).toBe(false);
    }
  });
});

describe("Awin order references", () => {
  it("sends the order name without its #", () => {
    expect(onlyOrder(awin.mapConversion(order({ name: "#1001" }), settings, ctx)).orderReference).toBe("1001");
  });

  it("skips a reference longer than Awin keeps (50), instead of letting Awin cut it", () => {
    expect(onlyOrder(awin.mapConversion(order({ name: `#${"A".repeat(50)}` }), settings, ctx)).orderReference).toHaveLength(50);
    expect(skipped(awin.mapConversion(order({ name: `#${"A".repeat(51)}` }), settings, ctx))).toMatch(/51 characters and Awin keeps only 50/);
  });
});

describe("Awin reversals", () => {
  it("records cancellations and refunds as skips that tell the merchant what to do in Awin", () => {
    expect(awin.reversal).toEqual({ supported: false, reason: AWIN_NO_REVERSAL });
    expect(AWIN_NO_REVERSAL).toMatch(/Validate Pending Transactions/);
    expect(AWIN_NO_REVERSAL).toMatch(/decline/);
    expect(AWIN_NO_REVERSAL).toMatch(/amend/);
    const payload = shopifyOrder({ id: 7001, lines: [{ id: 1, quantity: 2, unitPrice: 1_000 }], noteAttributes: { _awin_awc: AWC } });
    expect(skipped(decided(awin, settings, payload, { event: { kind: "cancellation", conversion: { state: "sent", externalRef: null } } }))).toBe(AWIN_NO_REVERSAL);
    const refundPayload = shopifyRefund({ orderId: 7001, lines: [{ lineItemId: 1, quantity: 1, subtotal: 1_000 }] });
    expect(skipped(decided(awin, settings, payload, { refundPayload }))).toBe(AWIN_NO_REVERSAL);
  });
});

describe("Awin's definition", () => {
  it("captures awc on the storefront into the awin_awc cookie and the _awin_awc cart attribute, for the merchant's window", () => {
    expect(awin.storefront).toMatchObject({ param: "awc", pattern: AWC_PATTERN.source, cookie: "awin_awc", cartAttribute: "_awin_awc", days: { setting: "cookieDays", default: 30 } });
    // The script gets the source alone, without flags: it must judge every value as the server does.
    const inBrowser = new RegExp(awin.storefront!.pattern);
    for (const value of [AWC, AWC.toUpperCase(), "<script>", `${AWC} `, "1001"]) expect(inBrowser.test(value), value).toBe(AWC_PATTERN.test(value));
    expect(inBrowser.test(AWC.toUpperCase())).toBe(true);
  });

  it("paces to Awin's 20 calls a minute and batches up to 1,000 orders", () => {
    expect(awin.pacing).toEqual({ rateLimit: { requests: 20, perMs: 60_000 }, batchSize: 1000 });
  });

  it("lists every settings field but enabled, and keeps the API key secret", () => {
    const keys = Object.keys(awin.settingsSchema.parse({ enabled: false })).filter((key) => key !== "enabled");
    expect(awin.fields.map((field) => field.key).sort()).toEqual(keys.sort());
    expect(awin.fields.filter((field) => field.secret).map((field) => field.key)).toEqual(["apiKey"]);
  });
});

describe("Awin settings", () => {
  const parse = (value: unknown) => awin.settingsSchema.safeParse(value);
  it("defaults the commission group to empty (Awin's DEFAULT) and the click window to 30 days", () => {
    expect(awin.settingsSchema.parse({ enabled: false })).toEqual({ enabled: false, advertiserId: "", apiKey: "", commissionGroup: "", cookieDays: 30 });
  });

  it("round-trips a valid block, and the placeholder settings are valid", () => {
    expect(awin.settingsSchema.parse(settings)).toEqual(settings);
    expect(parse(awin.placeholderSettings).success).toBe(true);
  });

  it("asks for the advertiser id and the API key while Awin is on", () => {
    const result = parse({ enabled: true });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    expect(messages).toEqual([expect.stringMatching(/^advertiserId: Awin is switched on but its advertiser id is empty/), expect.stringMatching(/^apiKey: Awin is switched on but its API key is empty/)]);
  });

  it("refuses an advertiser id that is not a number, a key with spaces, a commission group with ':' and a window out of range", () => {
    expect(parse({ ...settings, advertiserId: "awin-1001" }).error?.issues[0]?.message).toMatch(/digits only/);
    expect(parse({ ...settings, apiKey: "abc def" }).error?.issues[0]?.message).toMatch(/without spaces/);
    expect(parse({ ...settings, commissionGroup: "CD:11.10" }).error?.issues[0]?.message).toMatch(/commission group code/);
    expect(parse({ ...settings, cookieDays: 0 }).success).toBe(false);
    expect(parse({ ...settings, cookieDays: 366 }).success).toBe(false);
    expect(parse({ ...settings, cookieDays: 7.5 }).success).toBe(false);
  });
});

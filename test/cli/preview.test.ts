// `affiliate-relay preview` end to end, as a child process through the package's bin.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { networks } from "../../app/networks/registry.ts";
import { shopifyOrder, shopifyRefund, withoutMoneySets } from "../../devkit/orders/shopify-order.ts";
import { documentedPaidOrderText, SAMPLE_ORDER_ID } from "../fixtures/shopify-samples/index.ts";

const root = path.resolve(import.meta.dirname, "../..");
const fixtures = path.join(root, "test/fixtures/orders");
const scratch = mkdtempSync(path.join(tmpdir(), "affiliate-relay-preview-"));

function file(name: string, content: string): string {
  const target = path.join(scratch, name);
  writeFileSync(target, content);
  return target;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function preview(...args: string[]): Promise<Run> {
  const env = { ...process.env };
  for (const network of networks) for (const endpoint of network.endpoints) delete env[endpoint.env];
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, "bin/affiliate-relay.mjs"), "preview", ...args], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

type Entry = { network: string; action: string; reason?: string; request?: { method: string; url: string; headers: Record<string, string>; body: unknown } };

describe("affiliate-relay preview", () => {
  it("previews every network with placeholder credentials when no settings are given", async () => {
    const run = await preview(path.join(fixtures, "paid-usd.json"));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const entries = JSON.parse(run.stdout) as Entry[];
    expect(entries.map((e) => e.network)).toEqual(networks.map((n) => n.id));
    const [refersion, retrack, flexoffers] = ["refersion", "retrack", "flexoffers"].map((id) => entries.find((e) => e.network === id)!);
    expect([refersion, retrack, flexoffers].map((e) => e!.action)).toEqual(["send", "send", "send"]);
    expect(refersion!.request!.headers["Refersion-Secret-Key"]).toBe("[redacted]");
    expect(retrack!.request!.headers.Authorization).toBe("[redacted]");
    expect(flexoffers!.request).toMatchObject({ method: "GET", body: null });
    expect(flexoffers!.request!.url).toContain("clickid=FO-REF-778899");
    expect(refersion!.request!.url).toBe("https://inbound-webhooks.refersion.com/tracker/orders/paid");
  });

  it("uses the settings file: its networks, its currency, secrets never printed", async () => {
    const run = await preview(path.join(fixtures, "paid-usd.json"), "--settings", path.join(fixtures, "settings-example.json"));
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("SECRET");
    const entries = JSON.parse(run.stdout) as Entry[];
    expect(entries.find((e) => e.network === "flexoffers")).toEqual({ network: "flexoffers", action: "skip", reason: "FlexOffers is switched off in the settings" });
    expect(entries.find((e) => e.network === "refersion")!.request!.headers["Refersion-Public-Key"]).toBe("pub_example_1234");

    const presentment = file("presentment.json", JSON.stringify({ currency: "presentment", networks: { refersion: { enabled: true, publicKey: "p", secretKey: "s" } } }));
    const shown = JSON.parse((await preview(path.join(fixtures, "paid-usd.json"), `--settings=${presentment}`)).stdout) as Entry[];
    expect(shown).toHaveLength(1);
    expect(shown[0]!.request!.body).toMatchObject({ currency_code: "EUR" });
  });

  it("previews cancellations and refunds", async () => {
    const cancelled = JSON.parse((await preview(path.join(fixtures, "paid-usd.json"), "--topic", "orders/cancelled")).stdout) as Entry[];
    const entry = (entries: Entry[], id: string) => entries.find((e) => e.network === id)!;
    expect(["refersion", "retrack", "flexoffers"].map((id) => entry(cancelled, id).action)).toEqual(["send", "skip", "skip"]);
    expect(entry(cancelled, "retrack").reason).toMatch(/no transaction for this order yet/);
    expect(entry(cancelled, "flexoffers").reason).toMatch(/FlexOffers has no way to reverse/);

    const refunded = JSON.parse((await preview(path.join(fixtures, "refund-usd.json"), "--topic", "refunds/create")).stdout) as Entry[];
    expect(entry(refunded, "refersion").request!.body).toEqual({ order_id: "1001", items: [{ sku: "TEE-BLK-M", price: 25, quantity: 1 }] });
  });

  it("previews Shopify's documented sample order with its exact 64-bit id", async () => {
    const order = file("documented-sample.json", documentedPaidOrderText());
    const settings = file("send-tests.json", JSON.stringify({ sendTestOrders: true, networks: { refersion: { enabled: true, publicKey: "p", secretKey: "s" } } }));
    const run = await preview(order, "--settings", settings);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const [entry] = JSON.parse(run.stdout) as Entry[];
    expect(entry!.request!.body).toMatchObject({ cart_id: SAMPLE_ORDER_ID, order_id: "9999", currency_code: "USD" });
  });

  it("shows an order it cannot price in the chosen currency as a skip with the reason on every network", async () => {
    const order = file("no-sets.json", JSON.stringify(withoutMoneySets(shopifyOrder({ presentment: { currency: "EUR", factor: 2 }, lines: [{ quantity: 1, unitPrice: 100 }] }))));
    const presentment = file("presentment-all.json", JSON.stringify({ currency: "presentment", networks: { refersion: { enabled: true, publicKey: "p", secretKey: "s" }, retrack: { enabled: false, apiToken: "t", eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" } } }));
    const run = await preview(order, "--settings", presentment);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      { network: "refersion", action: "skip", reason: expect.stringMatching(/^the order cannot be priced in the presentment currency .*EUR: Shopify sent no EUR amount for line_items\.0\.price/) },
      { network: "retrack", action: "skip", reason: "Retrack is switched off in the settings" },
    ]);
    // In the shop currency the same file is sent.
    const shop = JSON.parse((await preview(order)).stdout) as Entry[];
    expect(shop[0]).toMatchObject({ network: "refersion", action: "send" });
  });

  it("reverses what a refund returned, given the order as the merchant has it after the refund", async () => {
    const lines = [
      { id: 11, sku: "TEE", quantity: 2, currentQuantity: 1, unitPrice: 2500 },
      { id: 12, sku: "MUG", quantity: 1, currentQuantity: 0, unitPrice: 1200 },
      { id: 13, sku: "CAP", quantity: 1, unitPrice: 900 },
    ];
    const after = shopifyOrder({ lines });
    const refund = shopifyRefund({ orderId: 5_000_000_001, lines: [{ lineItemId: 11, quantity: 1, subtotal: 2500 }, { lineItemId: 12, quantity: 1, subtotal: 1200 }] });
    const run = await preview(file("after-refund.json", JSON.stringify({ order: after, refund })), "--topic", "refunds/create");
    expect(run.stderr).toBe("");
    const [refersion] = JSON.parse(run.stdout) as Entry[];
    expect(refersion!.request!.body).toEqual({ order_id: "1001", items: [{ sku: "TEE", price: 25, quantity: 1 }, { sku: "MUG", price: 12, quantity: 1 }] });

    // Everything refunded: every current quantity is 0, and the refund still reverses the whole order.
    const all = shopifyOrder({ lines: lines.map((line) => ({ ...line, currentQuantity: 0 })) });
    const full = shopifyRefund({ orderId: 5_000_000_001, lines: lines.map((line) => ({ lineItemId: line.id, quantity: line.quantity, subtotal: line.unitPrice * line.quantity })) });
    const whole = JSON.parse((await preview(file("all-refunded.json", JSON.stringify({ order: all, refund: full })), "--topic", "refunds/create")).stdout) as Entry[];
    expect((whole[0]!.request!.body as { items: unknown[] }).items).toHaveLength(3);
  });

  it("skips test orders unless the settings send them", async () => {
    const test = file("test-order.json", JSON.stringify(shopifyOrder({ test: true, lines: [{ quantity: 1, unitPrice: 100 }] })));
    const entries = JSON.parse((await preview(test)).stdout) as Entry[];
    expect(entries.every((e) => e.action === "skip" && /test order/.test(e.reason ?? ""))).toBe(true);
  });

  it("answers bad input with one line on stderr and a non-zero exit, never a stack trace", async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /which order\?/],
      [[path.join(scratch, "missing.json")], /cannot read the order file .*missing\.json: no such file/],
      [[file("broken.json", "{ not json")], /is not valid JSON/],
      // Node's own JSON errors quote the text around the fault: a settings file's secret must never be printed.
      [[path.join(fixtures, "paid-usd.json"), "--settings", file("leaky-1.json", '{"networks": {"refersion": {"secretKey": sk_live_51SuperSecretValue}}}')], /^affiliate-relay preview: the settings file .*leaky-1\.json is not valid JSON; its content is not shown, as it may hold secrets$/m],
      [[path.join(fixtures, "paid-usd.json"), "--settings", file("leaky-2.json", '{\n  "networks": {"refersion": {"secretKey": "sk_live_51SuperSecretValue",}}}')], /leaky-2\.json is not valid JSON \(at line 2, column 72\); its content is not shown/],
      [[file("not-order.json", '{"hello": "world"}')], /not a Shopify order: id/],
      [[file("bad-money.json", JSON.stringify({ ...shopifyOrder({ lines: [{ quantity: 1, unitPrice: 100 }] }), currency: "ZZZ" }))], /unknown currency code "ZZZ"/],
      [[path.join(fixtures, "paid-usd.json"), "--settings", file("bad-settings.json", '{"networks":{"retrack":{"enabled":true,"apiToken":"x","eventId":"nope"}}}')], /invalid settings file .*eventId: must be the program event's UUID/],
      [[path.join(fixtures, "paid-usd.json"), "--topic", "orders/create"], /unknown topic "orders\/create"/],
      [[path.join(fixtures, "paid-usd.json"), "--topic", "refunds/create"], /must hold \{"order"/],
      [[path.join(fixtures, "paid-usd.json"), "--bogus"], /unknown option --bogus/],
      [[path.join(fixtures, "paid-usd.json"), "--settings"], /--settings needs a value/],
    ];
    const runs = await Promise.all(cases.map(([args]) => preview(...args)));
    runs.forEach((run, index) => {
      expect(run.code, `case ${index}`).not.toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(cases[index]![1]);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).not.toMatch(/sk_live|SuperSecret/);
    });
  });

  it("prints its usage, which documents the refunds file and the placeholder credentials", async () => {
    const run = await preview("--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\{"order": <order payload>, "refund": <refunds\/create payload>\}/);
    expect(run.stdout).toMatch(/placeholder credentials/);
  });
});

// `affiliate-relay preview` end to end, as a child process through the package's bin.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { networks } from "../../app/networks/registry.ts";
import { shopifyOrder } from "../../devkit/orders/shopify-order.ts";

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
    });
  });

  it("prints its usage, which documents the refunds file and the placeholder credentials", async () => {
    const run = await preview("--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\{"order": <order payload>, "refund": <refunds\/create payload>\}/);
    expect(run.stdout).toMatch(/placeholder credentials/);
  });
});

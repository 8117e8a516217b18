// Structured logs: the logger's own guarantees, then a whole `npm run demo` (the real server and its worker,
// in the demo's process, delivering to the simulators) whose every output line is searched for the seeded
// customer's data and for every secret of the run.
import { execFile } from "node:child_process";
import path from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { createLogger, fieldLogger, logLevelFromEnv } from "../../app/observability/log.server.ts";
import { ensureAppBuild } from "../../devkit/admin/app-build.ts";
import { networks } from "../../app/networks/registry.ts";
import { simulatedSecrets } from "../../devkit/simulators/settings.ts";
import { shopifyOrder } from "../../devkit/orders/shopify-order.ts";

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger(stream, "info") };
}

describe("the logger", () => {
  it("writes one JSON object per line with the level's name, the time and the fields under their names", () => {
    const { lines, logger } = capture();
    fieldLogger("worker", () => logger).warn("lease lost", { shop: "a.myshopify.com", order: "o1", delivery: "d1", network: "retrack" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn", component: "worker", shop: "a.myshopify.com", order: "o1", delivery: "d1", network: "retrack", msg: "lease lost" });
    expect(new Date(String(lines[0]!.time)).getTime()).not.toBeNaN();
  });

  it("never writes a value under a name that holds a secret or a customer's data, down to two levels", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        shop: "a.myshopify.com",
        secretKey: "sk-1",
        apiToken: "tok-1",
        authorization: "Bearer tok-2",
        email: "ada@example.com",
        browser_ip: "203.0.113.7",
        customer: { first_name: "Ada" },
        request: { headers: { "Refersion-Secret-Key": "sk-2" }, body: "sk-4", sent: { email: "ada@example.com", secretKey: "sk-3" } },
      },
      "something",
    );
    const text = JSON.stringify(lines);
    for (const value of ["sk-1", "sk-2", "sk-3", "sk-4", "tok-1", "tok-2", "ada@example.com", "203.0.113.7", "Ada"]) expect(text).not.toContain(value);
    expect(lines[0]).toMatchObject({ shop: "a.myshopify.com", secretKey: "[redacted]", email: "[redacted]", customer: "[redacted]" });
  });

  it("reads LOG_LEVEL, info by default, and refuses an unknown one", () => {
    expect(logLevelFromEnv("")).toBe("info");
    expect(logLevelFromEnv("debug")).toBe("debug");
    expect(() => logLevelFromEnv("loud")).toThrow('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"');
  });
});

describe("npm run demo's output", () => {
  let output: string;

  beforeAll(async () => {
    await ensureAppBuild();
    // `npm run demo` builds first; the build is made above, once for every test file, so this runs the rest.
    const { stdout, stderr } = await run(process.execPath, [path.join(root, "bin", "affiliate-relay.mjs"), "demo", "--no-build"], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production" },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 240_000,
    });
    output = stdout + stderr;
  }, 300_000);

  it("holds no customer data and no secret", () => {
    // The demo's orders are built by devkit/orders/shopify-order.ts: these are its customer's name, email and IP.
    const seeded = shopifyOrder({ lines: [{ quantity: 1, unitPrice: 100 }] }) as { email: string; browser_ip: string; customer: { first_name: string; last_name: string } };
    expect(seeded.email).toBe("ada@example.com");
    expect(output).toContain("demo finished");
    for (const value of [seeded.email, seeded.browser_ip, seeded.customer.last_name, ...simulatedSecrets()]) {
      expect(output).not.toContain(value);
    }
    expect(output).not.toMatch(new RegExp(`\\b${seeded.customer.first_name}\\b`));
    // The demo's Shopify API secret and encryption key are made fresh for the run, with these prefixes.
    expect(output).not.toMatch(/demo-secret-[0-9a-f]/);
    expect(output).not.toMatch(/demo:[A-Za-z0-9+/]{20}/);
  });

  it("logs the pipeline as JSON lines that name the shop, and the order, delivery and network of each delivery", () => {
    const json = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const webhooks = json.filter((line) => line.component === "webhook");
    const deliveries = json.filter((line) => line.component === "worker" && line.delivery);
    // Nine webhooks posted by the demo; at least one attempt per delivery it shows as sent.
    expect(webhooks.length).toBe(9);
    for (const line of webhooks) expect(line).toMatchObject({ level: "info", shop: "demo-store.myshopify.com", topic: expect.any(String), status: expect.any(Number) });
    expect(deliveries.length).toBeGreaterThanOrEqual(14);
    for (const line of deliveries) {
      expect(line).toMatchObject({ shop: "demo-store.myshopify.com", order: expect.any(String), delivery: expect.any(String), network: expect.stringMatching(new RegExp(`^(${networks.map((n) => n.id).join("|")})$`)) });
    }
    // No pipeline line in the old free-text form.
    expect(output).not.toMatch(/^\[worker\]/m);
    expect(output).not.toMatch(/^webhook /m);
  });
});

// `npm run demo` / `affiliate-relay demo [--no-build]`: the whole flow on this machine, with no Shopify account and
// no network access. It builds the app, starts the real server with its delivery worker on a fresh SQLite file,
// starts a loopback server playing every registered network (devkit/simulators: each enforcing its contract),
// loads settings for a demo shop, posts Shopify-signed webhooks (one twice, one under a second event id, some while
// a network fails, a cancellation and a refund), waits for the outbox to drain and shows what each network got.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createSqliteDatabase } from "../../../devkit/databases/migrated-databases.ts";
import { parseArgs } from "../args.ts";
import { CliError, type CliCommand } from "../command.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const SHOP = "demo-store.myshopify.com";
const out = (line = "") => process.stdout.write(`${line}\n`);
/** "A, B and C". */
const listed = (names: string[]) => (names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`);

function build(): void {
  out("building the app (npm run build) ...");
  const started = Date.now();
  const result = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build", "--silent"], { cwd: root, encoding: "utf8" });
  if (result.status !== 0) throw new CliError(`npm run build failed:\n${(result.stderr || result.stdout).slice(-2000)}`);
  out(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const command: CliCommand = {
  async run(args) {
    const parsed = parseArgs(args, { switches: ["no-build"] });
    if (parsed.positional.length) throw new CliError("usage: affiliate-relay demo [--no-build]");
    const started = Date.now();
    if (!parsed.flags.has("no-build")) build();

    const dir = mkdtempSync(path.join(tmpdir(), "affiliate-relay-demo-"));
    // Everything the app reads from the environment, set for this run only: nothing real is needed.
    Object.assign(process.env, {
      DATABASE_URL: await createSqliteDatabase("affiliate-relay-demo-db-"),
      SHOPIFY_API_KEY: "demo-api-key",
      SHOPIFY_API_SECRET: `demo-secret-${randomBytes(8).toString("hex")}`,
      SHOPIFY_APP_URL: "http://localhost",
      ENCRYPTION_KEY: `demo:${randomBytes(32).toString("base64")}`,
    });
    // Imported after the environment is set: these read it when loaded.
    const { startNetworkSimulators } = await import("../../../devkit/simulators/network-simulators.ts");
    const { webhookHeaders } = await import("../../../devkit/shopify-webhook.ts");
    const { shopifyOrder, shopifyRefund } = await import("../../../devkit/orders/shopify-order.ts");
    const { everyClick } = await import("../../../devkit/orders/attributed-order.ts");
    const { networkById } = await import("../../networks/registry.ts");
    const { createDb } = await import("../../db/client.server.ts");
    const { saveSettingsFile } = await import("../../settings/store.server.ts");
    const { closeDriver } = await import("../../pipeline/sql/driver.server.ts");
    const { startAppServer } = await import("../../server/http.server.ts");

    const sims = await startNetworkSimulators({ retryAfterSeconds: 2 });
    Object.assign(process.env, sims.env);
    const db = createDb(process.env.DATABASE_URL!);
    let server: Awaited<ReturnType<typeof startAppServer>> | undefined;
    try {
      await saveSettingsFile(db, SHOP, sims.settingsFile());
      server = await startAppServer({ buildDir: path.join(root, "build"), publicDir: path.join(root, "public"), port: 0, host: "127.0.0.1" });
      const base = `http://127.0.0.1:${server.port}`;
      const label = (id: string) => networkById(id)?.label ?? id;
      const labels = sims.networks.map(label);
      const hosts = Object.values(sims.env).map((u) => new URL(u).host).filter((h, i, all) => all.indexOf(h) === i);
      out(`server and worker on ${base}; ${listed(labels)} played by ${hosts.join(", ")}`);
      out(`shop ${SHOP}: all ${labels.length} networks switched on (keys stored encrypted)`);
      out();

      const post = async (topic: string, body: unknown, eventId: string, note: string, secret?: string) => {
        const raw = JSON.stringify(body);
        const response = await fetch(`${base}/webhooks/${topic}`, {
          method: "POST",
          headers: webhookHeaders({ topic, shop: SHOP, body, eventId, secret: secret ?? process.env.SHOPIFY_API_SECRET }, raw),
          body: raw,
        });
        out(`POST /webhooks/${topic.padEnd(16)} ${String(response.status)}  ${note}`);
      };
      const order = (n: number, options: { attributes?: Record<string, string>; test?: boolean } = {}) =>
        shopifyOrder({
          id: 820_000_000 + n,
          name: `#${1000 + n}`,
          test: options.test,
          lines: [
            { quantity: 2, unitPrice: 2450, discounts: [490], taxes: [{ amount: 353, rate: "0.0825" }] },
            { quantity: 1, unitPrice: 1800, taxes: [{ amount: 149, rate: "0.0825" }] },
          ],
          shipping: { price: 599 },
          discountCodes: ["WELCOME10"],
          noteAttributes: options.attributes ?? everyClick(),
        });

      // Some networks are busy at first: each delivery that meets a 429 waits for its Retry-After.
      const busy = sims.networks.map((id, index) => [id, index % 3] as const).filter(([, times]) => times > 0);
      for (const [id, times] of busy) sims.failNext(id, "429", times);
      const busyText = busy.map(([id, times]) => `${label(id)} ${times === 1 ? "once" : "twice"}`).join(", ");
      await post("orders/paid", order(1), "demo-evt-1", "order #1001, attributed to every network");
      await post("orders/paid", order(1), "demo-evt-1", "the same webhook again (Shopify retried): acknowledged, nothing new");
      await post("orders/paid", order(1), "demo-evt-1b", "the same order under a new event id: no second delivery");
      await post("orders/paid", order(2, { attributes: {} }), "demo-evt-2", "order #1002, no affiliate click: sent only where a network credits it otherwise (coupons)");
      await post("orders/paid", order(3, { test: true }), "demo-evt-3", "order #1003, a test order: skipped everywhere, with the reason");
      await post("orders/paid", order(4), "demo-evt-4", "order #1004, attributed");
      await post("orders/cancelled", { ...order(4), cancelled_at: new Date().toISOString() }, "demo-evt-4c", "order #1004 cancelled: reversed after its conversion");
      await post(
        "refunds/create",
        shopifyRefund({ id: 95_001, orderId: 820_000_001, lines: [{ lineItemId: 10_001, quantity: 1, subtotal: 1800, tax: 149 }] }),
        "demo-evt-1r",
        "order #1001, one item refunded",
      );
      await post("orders/paid", order(5), "demo-evt-5", "a forged webhook (wrong signature): rejected, nothing stored", "not-the-app-secret");

      out();
      out(`waiting for the worker to deliver (${busyText}: 429 at first, asking to wait 2 s) ...`);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const open = await db.delivery.count({ where: { status: { in: ["pending", "in_flight", "waiting"] } } });
        if (open === 0 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }

      out();
      out("What each network received (accepted requests):");
      for (const network of sims.networks) {
        const received = sims.received(network);
        out(`  ${label(network)}: ${sims.accepted(network).length} accepted of ${received.length} received`);
        for (const request of received) out(`    ${String(request.status)} ${request.kind.padEnd(16)} ${sims.summarize(request)}`);
      }
      out();
      out("The outbox (one row per order, network and kind):");
      const rows = await db.delivery.findMany({ include: { order: { select: { name: true } } }, orderBy: [{ order: { name: "asc" } }, { network: "asc" }, { kind: "asc" }] });
      for (const row of rows) {
        out(`  ${row.order.name.padEnd(6)} ${row.network.padEnd(10)} ${row.kind.padEnd(13)} ${row.status.padEnd(9)} attempts ${row.attempts}${row.reason ? `  ${row.reason}` : ""}`);
      }
      const logged = await db.deliveryAttempt.findMany({ select: { request: true } });
      const secrets = sims.secrets();
      const leaked = logged.some((a) => secrets.some((s) => a.request?.includes(s)));
      out();
      out(`${logged.length} attempts logged, secrets redacted in every one: ${leaked ? "NO" : "yes"}`);
      out(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return leaked ? 1 : 0;
    } finally {
      await server?.close();
      await sims.close();
      await closeDriver(db);
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default command;

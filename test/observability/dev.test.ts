// `npm run dev` is `shopify app dev`, which needs a Partner login; what it runs for this app is shopify.web.toml's
// dev command. That command is run here exactly as written, offline: a signed orders/paid posted to the Remix dev
// server must reach the networks, so the worker runs beside it.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { TEST_ENV } from "../../devkit/admin/serve.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../devkit/simulators/network-simulators.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { emptyDatabaseUrl } from "./support/migrated.ts";

const root = path.resolve(import.meta.dirname, "../..");
const SHOP = "dev-store.myshopify.com";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(value: () => T | undefined | false, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = value();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function devCommand(): string {
  const toml = readFileSync(path.join(root, "shopify.web.toml"), "utf8");
  const line = /^dev\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/m.exec(toml);
  if (!line) throw new Error("shopify.web.toml has no dev command");
  return line[1]!.replace(/\\(.)/g, "$1");
}

describe("shopify.web.toml's dev command", () => {
  let sims: NetworkSimulators;
  let child: ChildProcess;
  let output = "";
  let db: Db;

  beforeAll(async () => {
    sims = await startNetworkSimulators();
    const url = await emptyDatabaseUrl("sqlite");
    // Its own process group, so that the shell, the dev server and the worker can all be stopped by its id.
    child = spawn("sh", ["-c", devCommand()], {
      cwd: root,
      detached: true,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "development",
        NO_COLOR: "1",
        ...TEST_ENV,
        ...sims.env,
        DATABASE_URL: url,
        PORT: String(await freePort()),
        // Vite's HMR socket: on its own free port (vite.config.ts reads FRONTEND_PORT behind a tunnel).
        FRONTEND_PORT: String(await freePort()),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    // The command migrates first; the settings go in once the tables exist.
    await waitFor(() => /"msg":"started"/.test(output), `the worker's start-up line in:\n${output}`, 60_000);
    db = createDb(url);
    await saveSettingsFile(db, SHOP, {
      currency: "shop",
      sendTestOrders: false,
      networks: {
        refersion: { ...sims.credentials.refersion, enabled: true },
        retrack: { enabled: true, apiToken: sims.credentials.retrack.apiToken, eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" },
        flexoffers: { enabled: true, advertiserId: sims.credentials.flexoffers.advertiserId, commissionId: "" },
      },
    });
  }, 120_000);

  afterAll(async () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
    await sims?.close();
    if (db) {
      await closeDriver(db);
      await db.$disconnect();
    }
  });

  it("runs the delivery worker beside the Remix dev server, so a development store's orders are delivered", async () => {
    // Vite prints where it listens (it moves to the next port if PORT was taken meanwhile).
    const port = await waitFor(() => /Local:\s+\S*localhost:(\d+)/.exec(output)?.[1], "the dev server's address", 60_000);

    const body = attributedOrder(1);
    const raw = JSON.stringify(body);
    const headers = webhookHeaders({ topic: "orders/paid", shop: SHOP, body, eventId: "dev-evt-1", secret: TEST_ENV.SHOPIFY_API_SECRET }, raw);
    const posted = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/webhooks/orders/paid`, { method: "POST", headers, body: raw });
    expect(response.status).toBe(200);
    console.log(`[dev] first webhook answered by the dev server in ${Math.round(performance.now() - posted)} ms (it compiles the route first)`);

    await expect.poll(() => sims.accepted("refersion").length + sims.accepted("retrack").length + sims.accepted("flexoffers").length, { timeout: 30_000 }).toBe(3);
    await expect.poll(() => db.delivery.count({ where: { status: "succeeded" } }), { timeout: 30_000 }).toBe(3);
  }, 120_000);

  it("stops the dev server and the worker together", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGTERM");
    await exited;
    await expect.poll(() => /"msg":"stopped"/.test(output), { timeout: 15_000 }).toBe(true);
  }, 30_000);
});

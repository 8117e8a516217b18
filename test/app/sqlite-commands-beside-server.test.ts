// On SQLite the documented commands run beside `npm start`: one writer at a time, so every connection waits for
// the write lock instead of failing when another process holds it. The real server (its worker delivering to the
// loopback network simulators) takes orders/paid and privacy webhooks over HTTP, a third process takes the write
// lock for a few tens of milliseconds again and again (what a busy neighbour does), and `settings import`,
// `replay` and `backfill` run through the package's bin meanwhile: every command and every webhook succeeds.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "libsql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../devkit/simulators/network-simulators.ts";
import { createSqliteDatabase } from "../support/databases.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { simulatorSettings, SHOP } from "../pipeline/support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";
import { ensureAppBuild } from "../../devkit/admin/app-build.ts";
import { serveApp, TEST_ENV, type ServedApp } from "../../devkit/admin/serve.ts";

const root = path.resolve(import.meta.dirname, "../..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function command(env: Record<string, string>, ...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", ...env };
    const options = { cwd: root, env: childEnv, timeout: 60_000, encoding: "utf8" as const };
    execFile(process.execPath, [path.join(root, "bin/affiliate-relay.mjs"), ...args], options, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${args.join(" ")}: ${stdout}${stderr}` }),
    );
  });
}

describe("the commands beside a running server on SQLite", () => {
  let url: string;
  let db: Db;
  let sims: NetworkSimulators;
  let app: ServedApp;
  beforeAll(async () => {
    await ensureAppBuild();
    url = await createSqliteDatabase();
    db = createDb(url);
    sims = await startNetworkSimulators();
    await saveSettingsFile(db, SHOP, simulatorSettings(sims));
    app = await serveApp(url, sims.env);
  }, 300_000);
  afterAll(async () => {
    if (app && app.child.exitCode === null) await app.stop("SIGKILL");
    await sims?.close();
    await db?.$disconnect();
  });

  it("runs settings import, replay and backfill while webhooks arrive and another process holds the write lock", { timeout: 180_000 }, async () => {
    const env = { ...TEST_ENV, ...sims.env, DATABASE_URL: url };
    const settingsFile = path.join(mkdtempSync(path.join(tmpdir(), "affiliate-relay-lock-")), "settings.json");
    writeFileSync(settingsFile, JSON.stringify(simulatorSettings(sims)));

    // The neighbour: takes the write lock, holds it across event-loop turns, lets go, again.
    const neighbour = new Database(url.replace(/^file:/, ""));
    let running = true;
    let holds = 0;
    const holding = (async () => {
      while (running) {
        try {
          neighbour.exec("BEGIN IMMEDIATE");
        } catch {
          await sleep(5);
          continue;
        }
        neighbour.exec(`UPDATE "Shop" SET "consentGating" = "consentGating" WHERE "domain" = '${SHOP}'`);
        await sleep(40);
        neighbour.exec("COMMIT");
        holds++;
        await sleep(20);
      }
    })();

    const answers: Record<string, number[]> = {};
    const post = async (topic: string, body: unknown) => {
      const raw = JSON.stringify(body);
      const response = await fetch(`${app.url}/webhooks/${topic}`, { method: "POST", headers: webhookHeaders({ topic, shop: SHOP, body: null }, raw), body: raw });
      (answers[topic] ??= []).push(response.status);
    };
    let orders = 0;
    const webhooks = (async () => {
      while (running) {
        const n = ++orders;
        await Promise.all([
          post("orders/paid", attributedOrder(n)),
          post("customers/data_request", { shop_domain: SHOP, customer: { id: 6_000_001, email: "ada@example.com" }, orders_requested: [], data_request: { id: n } }),
          n % 5 === 0 ? post("customers/redact", { shop_domain: SHOP, customer: { id: 6_000_001, email: "ada@example.com" }, orders_to_redact: [] }) : undefined,
        ]);
        await sleep(20);
      }
    })();

    const runs: Array<{ code: number; output: string }> = [];
    try {
      for (let round = 0; round < 2; round++) {
        runs.push(await command(env, "settings", "import", "--shop", SHOP, settingsFile));
        runs.push(await command(env, "replay", "--shop", SHOP, "--network", "flexoffers"));
        runs.push(await command(env, "backfill", "--shop", SHOP, "--network", "retrack", "--days", "1"));
      }
    } finally {
      running = false;
      await Promise.all([holding, webhooks]);
      neighbour.close();
    }

    const failedRuns = runs.filter((run) => run.code !== 0);
    const statuses = Object.fromEntries(Object.entries(answers).map(([topic, list]) => [topic, list.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {})]));
    console.log(`[sqlite beside the server] ${runs.length} commands, ${failedRuns.length} failed; ${holds} lock holds by the neighbour; webhook answers ${JSON.stringify(statuses)}`);
    if (failedRuns.length || Object.values(answers).flat().some((status) => status !== 200)) console.log(app.output().slice(-4000));
    expect(failedRuns.map((run) => run.output)).toEqual([]);
    expect(holds).toBeGreaterThan(10);
    for (const [topic, list] of Object.entries(answers)) expect(list.filter((status) => status !== 200), topic).toEqual([]);
    expect(answers["orders/paid"]!.length).toBeGreaterThan(5);
    expect(app.child.exitCode).toBeNull();

    // The server's worker delivered every order meanwhile: nothing failed because of the lock.
    const open = () => db.delivery.count({ where: { status: { in: ["pending", "in_flight"] } } });
    for (let i = 0; i < 240 && (await open()) > 0; i++) await sleep(250);
    const byStatus = await db.delivery.groupBy({ by: ["status"], _count: true });
    expect(Object.fromEntries(byStatus.map((row) => [row.status, row._count]))).toEqual({ succeeded: answers["orders/paid"]!.length * sims.networks.length });
  });
});

// One server for the ingestion benchmark, in its own process: prints `{"url": ...}` once listening, serves until
// killed. Scenarios:
//   baseline  a bare Node HTTP server that reads the body, checks Shopify's HMAC and answers 200
//   route     the orders/paid route action behind a plain Node HTTP server (devkit/route-server.ts)
//   remix     the production server: express + the Remix build (npm run build), worker off
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { BENCH_SECRET, setBenchEnv } from "./pipeline-env.ts";

const { scenario, databaseUrl, shop, settings } = JSON.parse(process.argv[2]!) as { scenario: "baseline" | "route" | "remix"; databaseUrl: string; shop: string; settings: unknown };
setBenchEnv();
process.env.DATABASE_URL = databaseUrl;
const root = path.resolve(import.meta.dirname, "../..");

async function baseline(): Promise<string> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const expected = createHmac("sha256", BENCH_SECRET).update(body).digest();
      const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
      const ok = given.length === expected.length && timingSafeEqual(given, expected);
      res.writeHead(ok ? 200 : 401).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/orders/paid`;
}

async function saveSettings() {
  const { db } = await import("../../app/db/client.server.ts");
  const { saveSettingsFile } = await import("../../app/settings/store.server.ts");
  await saveSettingsFile(db(), shop, settings);
}

async function route(): Promise<string> {
  await saveSettings();
  const { startRouteServer } = await import("../../devkit/route-server.ts");
  return `${(await startRouteServer()).url}/webhooks/orders/paid`;
}

async function remix(): Promise<string> {
  await saveSettings();
  const { startAppServer } = await import("../../app/server/http.server.ts");
  const server = await startAppServer({ buildDir: path.join(root, "build"), port: 0, host: "127.0.0.1", worker: false });
  return `http://127.0.0.1:${server.port}/webhooks/orders/paid`;
}

const url = scenario === "baseline" ? await baseline() : scenario === "route" ? await route() : await remix();
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.once("SIGINT", () => process.exit(0));

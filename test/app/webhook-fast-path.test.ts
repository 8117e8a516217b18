// The webhook fast path (app/server/webhook-fast-path.server.ts) answers exactly what Remix's own request handler
// answers for the same requests, through the same route actions of the same build: the production app
// (createApp, with the fast path) beside an express app that only has Remix's handler, on one database.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import type { Background, BackgroundOptions } from "../../app/server/background.server.ts";
import { createApp, loadServerBuild } from "../../app/server/http.server.ts";
import { webhookActions } from "../../app/server/webhook-fast-path.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { attributedOrder, DEMO_SETTINGS } from "../../devkit/orders/attributed-order.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { networks } from "../../app/networks/registry.ts";
import { createDatabaseUrl } from "../support/databases.ts";
import { ensureAppBuild } from "../../devkit/admin/app-build.ts";
import { TEST_ENV } from "../../devkit/admin/serve.ts";

const root = path.resolve(import.meta.dirname, "../..");
const SHOP = "fast-path.myshopify.com";

describe("webhooks served before the Remix adapter", () => {
  let build: ServerBuild;
  let background: Background;
  let db: Db;
  const servers: Server[] = [];
  let fast: string;
  let remix: string;

  const listen = async (app: express.Express) => {
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    await ensureAppBuild();
    const url = await createDatabaseUrl("sqlite");
    Object.assign(process.env, TEST_ENV, { DATABASE_URL: url, NODE_ENV: "production" });
    db = createDb(url);
    await saveSettingsFile(db, SHOP, DEMO_SETTINGS);
    build = await loadServerBuild(path.join(root, "build"));
    const start = (build.entry.module as unknown as { startBackground: (options: BackgroundOptions) => Background }).startBackground;
    background = start({ worker: false, prismaDir: path.join(root, "prisma") });
    fast = await listen(createApp(build, { buildDir: path.join(root, "build") }, { probes: background.probes, metricsToken: undefined }));
    const plain = express();
    plain.all("*", createRequestHandler({ build, mode: "production" }));
    remix = await listen(plain);
  }, 300_000);

  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await background?.disconnect();
    await db?.$disconnect();
  });

  it("takes every static webhook route of the build, and nothing else", () => {
    const paths = [...webhookActions(build).keys()].sort();
    expect(paths).toEqual(["/webhooks/app/uninstalled", "/webhooks/customers/data_request", "/webhooks/customers/redact", "/webhooks/orders/cancelled", "/webhooks/orders/paid", "/webhooks/refunds/create", "/webhooks/shop/redact"]);
  });

  type Case = { name: string; path: string; method?: string; topic: string; body: string; secret?: string };
  const order = (n: number) => JSON.stringify(attributedOrder(n));
  const cases: Array<(side: number) => Case> = [
    (side) => ({ name: "a new paid order", path: "/webhooks/orders/paid", topic: "orders/paid", body: order(1 + side) }),
    (side) => ({ name: "a bad signature", path: "/webhooks/orders/paid", topic: "orders/paid", body: order(10 + side), secret: "not-the-secret" }),
    (side) => ({ name: "another topic than the route's", path: "/webhooks/orders/paid", topic: "orders/cancelled", body: order(20 + side) }),
    () => ({ name: "a signed payload that is not an order", path: "/webhooks/orders/paid", topic: "orders/paid", body: JSON.stringify({ hello: "world" }) }),
    () => ({ name: "a body that is not JSON", path: "/webhooks/orders/paid", topic: "orders/paid", body: "{not json" }),
    () => ({ name: "a refund for an order not recorded yet", path: "/webhooks/refunds/create", topic: "refunds/create", body: JSON.stringify({ id: 9, order_id: 424242 }) }),
    () => ({ name: "a compliance webhook with a bad signature", path: "/webhooks/customers/data_request", topic: "customers/data_request", body: "{}", secret: "wrong" }),
    () => ({ name: "GET on a webhook route", path: "/webhooks/orders/paid", method: "GET", topic: "orders/paid", body: "" }),
    () => ({ name: "a path no route has", path: "/webhooks/orders/nothing", topic: "orders/paid", body: order(30) }),
  ];

  it.each(cases.map((c) => [c(0).name, c] as const))("answers %s as Remix does", async (_name, make) => {
    const answers = [];
    for (const [side, base] of [fast, remix].entries()) {
      const c = make(side);
      const method = c.method ?? "POST";
      const headers = webhookHeaders({ topic: c.topic, shop: SHOP, body: null, secret: c.secret }, c.body);
      const response = await fetch(`${base}${c.path}`, { method, headers, body: method === "GET" ? undefined : c.body });
      answers.push({ status: response.status, type: response.headers.get("content-type"), body: await response.text() });
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it("recorded what both answered 200 for: the same rows either way", async () => {
    expect(await db.order.count()).toBe(2);
    expect(await db.delivery.count()).toBe(2 * networks.length);
  });
});

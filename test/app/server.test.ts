// The production server as operators run it: `npm run build`, then `node bin/affiliate-relay.mjs serve`.
import { request as httpRequest, type ClientRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { networks } from "../../app/networks/registry.ts";
import { createDatabaseUrl, databaseKinds } from "../support/databases.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { ensureAppBuild } from "../../devkit/admin/app-build.ts";
import { runServeUntilExit, serveApp, TEST_ENV, type ServedApp } from "../../devkit/admin/serve.ts";

const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

describe.each(databaseKinds)("production server (npm start) on %s", (kind) => {
  let app: ServedApp;
  let db: Db;
  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, { redirect: "manual", ...init, headers: { "User-Agent": BROWSER_UA, ...init.headers } });

  beforeAll(async () => {
    const build = await ensureAppBuild();
    const url = await createDatabaseUrl(kind);
    db = createDb(url);
    app = await serveApp(url);
    console.log(`[server ${kind}] ${build}; cold start to listening: ${Math.round(app.coldStartMs)} ms`);
  }, 300_000);

  afterAll(async () => {
    if (app && app.child.exitCode === null) await app.stop("SIGKILL");
    await db?.$disconnect();
  });

  it("renders the landing page with the shop-domain login form", async () => {
    const response = await get("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("<h1");
    expect(html).toContain("Affiliate Relay");
    expect(html).toMatch(/<form[^>]*action="\/auth\/login"/);
    expect(html).toMatch(/<input[^>]*name="shop"/);
    // The networks it names come from the registry.
    for (const network of networks) expect(html).toContain(network.label);
  });

  it("sends a landing visit that names a shop into the app", async () => {
    const response = await get("/?shop=demo.myshopify.com&host=abc");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/app?shop=demo.myshopify.com&host=abc");
  });

  it("redirects /app without a session to the login page", async () => {
    const response = await get("/app");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/auth/login");
  });

  it("sends an embedded /app request without a session token into Shopify's auth flow, not into the app", async () => {
    const host = Buffer.from("admin.shopify.com/store/demo").toString("base64");
    const response = await get(`/app?embedded=1&shop=demo.myshopify.com&host=${host}`);
    expect(response.status).toBe(302);
    // The bounce page (token exchange) or the exit-iframe step towards OAuth (auth code flow), per shopify.server.ts.
    expect(response.headers.get("location")).toMatch(/^\/auth\/(session-token|exit-iframe)\?/);
  });

  it("shows the login form and explains a bad shop domain", async () => {
    const form = await get("/auth/login");
    expect(form.status).toBe(200);
    expect(await form.text()).toContain("Shop domain");

    const bad = await get("/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "shop=not a shop!",
    });
    expect(bad.status).toBe(200);
    expect(await bad.text()).toContain("Enter a valid shop domain");
  });

  it("serves the built assets (fingerprinted, cached for a year) and public/ files", async () => {
    const html = await (await get("/auth/login")).text();
    const stylesheet = /<link rel="stylesheet" href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(stylesheet).toBeDefined();
    const css = await get(stylesheet!);
    expect(css.status).toBe(200);
    expect(css.headers.get("cache-control")).toContain("immutable");
    expect(await css.text()).toContain(".Polaris-");

    const icon = await get("/favicon.ico");
    expect(icon.status).toBe(200);
    expect(Buffer.from(await icon.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    expect((await get("/no-such-file.png")).status).toBe(404);
  });

  it("answers a webhook with a bad HMAC with 401 and writes nothing", async () => {
    const body = JSON.stringify({ shop_domain: "demo.myshopify.com", customer: { id: 1, email: "a@example.com" }, orders_requested: [1] });
    const headers = webhookHeaders({ topic: "customers/data_request", shop: "demo.myshopify.com", body: null, secret: "not-the-app-secret" }, body);
    const response = await get("/webhooks/customers/data_request", { method: "POST", headers, body });
    expect(response.status).toBe(401);
    expect(await db.dataRequest.count()).toBe(0);
    expect(await db.webhookReceipt.count()).toBe(0);
  });

  it("on SIGTERM finishes the request in flight, refuses new ones, and exits 0 within a few seconds", async () => {
    // A webhook whose body is still arriving when the signal comes: the server must wait for it and answer it.
    const body = JSON.stringify({ shop_domain: "demo.myshopify.com", customer: { id: 2 }, orders_requested: [] });
    const headers = webhookHeaders({ topic: "customers/data_request", shop: "demo.myshopify.com", body: null, secret: "wrong" }, body);
    let request!: ClientRequest;
    const answered = new Promise<number>((resolve, reject) => {
      request = httpRequest(
        `${app.url}/webhooks/customers/data_request`,
        { method: "POST", headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.once("error", reject);
    });
    request.write(body.slice(0, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));

    const signalled = performance.now();
    app.child.kill("SIGTERM");
    await expect.poll(() => app.output(), { timeout: 5_000 }).toContain("SIGTERM: finishing requests in flight");
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow();

    request.end(body.slice(20));
    expect(await answered).toBe(401);
    const { code, signal } = await app.exited;
    const ms = performance.now() - signalled;
    console.log(`[server ${kind}] SIGTERM to exit, with a request in flight for 300+ ms: ${Math.round(ms)} ms`);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(5_000);
    expect(app.output()).toContain(`"msg":"stopped"`);
  });
});

describe("production server configuration errors", () => {
  beforeAll(async () => {
    await ensureAppBuild();
  }, 300_000);

  // Each is one line on stderr and exit code 1, before anything listens.
  it.each([
    ["ENCRYPTION_KEY", "ENCRYPTION_KEY is not set"],
    ["DATABASE_URL", "DATABASE_URL is not set"],
    ["SHOPIFY_API_SECRET", "SHOPIFY_API_SECRET is not set"],
  ])("refuses to start without %s", async (name, message) => {
    const url = await createDatabaseUrl("sqlite");
    const result = await runServeUntilExit({ ...TEST_ENV, DATABASE_URL: url, PORT: "0", [name]: "" });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain("listening");
    expect(result.stderr).toMatch(new RegExp(`^affiliate-relay serve: ${message}[^\\n]*\\n$`, "m"));
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

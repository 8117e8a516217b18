// The rules every network must keep, run once for each network in the registry (app/networks/registry.ts): a new
// network gets all of these without writing a test. What is particular to one network (its mapping, its
// simulator's contract, its golden examples) is tested in its own folder under test/networks/<id>/.
//
// Each network is driven from its own declaration: its placeholder settings (secret fields replaced by markers),
// an order carrying every storefront capture's example click, its endpoints pointed at loopback servers, and its
// own simulator (app/networks/<id>/simulator.ts, started through devkit/simulators), which must take the relay's
// conversion and refuse it without each field the network requires. The storefront capture of every network that
// declares one also runs in real Chromium, from the same registry: test/storefront/embed.browser.test.ts
// (`describe.each(capturing)`: the cookie, the cart attribute, the pattern, switched off; the redirect where declared).
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { preview } from "../../app/cli/commands/preview.ts";
import { setDb, type Db, type DbKind } from "../../app/db/client.server.ts";
import { decideDelivery, topics, type DeliveryDecision, type DeliveryEvent, type OrderTopic } from "../../app/networks/decide.ts";
import { secretFieldKeys } from "../../app/networks/fields.ts";
import { classifyTransportFailure, redactRequest, sendNetworkRequest } from "../../app/networks/http.ts";
import { networks, type AnyNetworkDefinition } from "../../app/networks/registry.ts";
import { endpointUrl } from "../../app/networks/shared/endpoints.ts";
import type { NetworkRequest, NetworkResponse } from "../../app/networks/types.ts";
import { orderFromShopify, refundFromShopify } from "../../app/orders/from-shopify.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { startWorker } from "../../app/pipeline/worker.server.ts";
import { action as paidAction } from "../../app/routes/webhooks.orders.paid.tsx";
import { exportSettingsFile, loadShopConfig, saveSettingsFile } from "../../app/settings/store.server.ts";
import { storefrontCaptureSchema } from "../../app/storefront/config.ts";
import { shopifyOrder, shopifyRefund } from "../../devkit/orders/shopify-order.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { signedWebhookRequest } from "../../devkit/shopify-webhook.ts";
import { everyClick as everyClickAttribute } from "../../devkit/orders/attributed-order.ts";
import { loadSimulator } from "../../devkit/simulators/load.ts";
import { startNetworkSimulators, type NetworkSimulators, type SimulatedNetwork } from "../../devkit/simulators/network-simulators.ts";

type Settings = { enabled: boolean } & Record<string, unknown>;

const TRANSACTION = "3afc4a82-93c3-423f-8ee8-542ccb315931";
const scratch = mkdtempSync(path.join(tmpdir(), "affiliate-relay-conformance-"));

/** A value for each secret field that is obviously a secret and can be searched for anywhere. */
const secretValue = (network: AnyNetworkDefinition, key: string) => `conformance-SECRET-${network.id}-${key}-7f3a9c`;

function settingsWithSecrets(network: AnyNetworkDefinition): Settings {
  const settings: Settings = { ...network.placeholderSettings!, enabled: true };
  for (const key of secretFieldKeys(network)) settings[key] = secretValue(network, key);
  return settings;
}

const secretsOf = (network: AnyNetworkDefinition) => secretFieldKeys(network).map((key) => secretValue(network, key));

/** Every click the storefront writes: each capture's (or own tracker's) example under its cart attribute. */
const everyClick = everyClickAttribute();

function orderPayload(options: { test?: boolean; noteAttributes?: Record<string, string>; id?: number } = {}) {
  return shopifyOrder({
    id: options.id ?? 5_100_000_001,
    name: "#4711",
    test: options.test ?? false,
    lines: [
      { quantity: 2, unitPrice: 2450, discounts: [490], taxes: [{ amount: 353, rate: "0.0825" }] },
      { quantity: 1, unitPrice: 1800, taxes: [{ amount: 149, rate: "0.0825" }] },
    ],
    shipping: { price: 599 },
    discountCodes: ["WELCOME10"],
    noteAttributes: options.noteAttributes ?? everyClick,
  });
}

const refundPayload = (orderId: number) => shopifyRefund({ id: 95_001, orderId, lines: [{ lineItemId: 10_001, quantity: 1, subtotal: 1800, tax: 149 }] });

function normalized(options: Parameters<typeof orderPayload>[0] = {}) {
  const order = orderFromShopify(orderPayload(options));
  return { order, refund: refundFromShopify(refundPayload(options.id ?? 5_100_000_001), order) };
}

/** What the network decides for each topic, with the context a delivery would have (an earlier conversion's ref). */
function decisions(network: AnyNetworkDefinition, settings: Settings, options: Parameters<typeof orderPayload>[0] = {}, shop: { sendTestOrders?: boolean } = {}) {
  const { order, refund } = normalized(options);
  const conversion = { state: "sent", externalRef: TRANSACTION } as const;
  const events: Record<OrderTopic, DeliveryEvent> = {
    "orders/paid": { kind: "conversion" },
    "orders/cancelled": { kind: "cancellation", conversion },
    "refunds/create": { kind: "refund", refund, refundsSoFar: [refund], conversion },
  };
  const decide = (event: DeliveryEvent) =>
    decideDelivery({ network, settings, keysRejected: false, sendTestOrders: shop.sendTestOrders ?? false, currencyMode: "shop", order, event });
  return topics.map((topic) => [topic, decide(events[topic])] as [OrderTopic, DeliveryDecision]);
}

const sentRequests = (network: AnyNetworkDefinition, settings = settingsWithSecrets(network)): Array<[OrderTopic, NetworkRequest]> =>
  decisions(network, settings).flatMap(([topic, decision]) => (decision.action === "send" ? [[topic, decision.request] as [OrderTopic, NetworkRequest]] : []));

/** A loopback server that answers every request with `answer`, recording what it received. */
async function loopback(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Points every endpoint of the network at `origin`, keeping each endpoint's path. */
function pointEndpointsAt(network: AnyNetworkDefinition, origin: string) {
  for (const endpoint of network.endpoints) vi.stubEnv(endpoint.env, `${origin}${new URL(endpoint.default).pathname}`);
}

const dbs = {} as Record<DbKind, Db>;
beforeAll(async () => {
  for (const kind of databaseKinds) dbs[kind] = (await createTestDb(kind)).db;
});
afterAll(async () => {
  for (const db of Object.values(dbs)) {
    await closeDriver(db);
    await db.$disconnect();
  }
});
afterEach(() => vi.unstubAllEnvs());

describe("the registry", () => {
  it("lists each network once, and no two networks share a cookie, a cart attribute, a landing parameter or an environment variable", () => {
    const unique = (values: string[]) => expect(new Set(values).size).toBe(values.length);
    unique(networks.map((n) => n.id));
    const captures = networks.flatMap((n) => (n.storefront ? [n.storefront] : []));
    unique(captures.map((c) => c.cookie));
    unique([...captures.map((c) => c.cartAttribute), ...networks.flatMap((n) => (n.ownTracker ? [n.ownTracker.cartAttribute] : []))]);
    unique(captures.flatMap((c) => [c.param, ...(c.redirectParam ? [c.redirectParam] : [])]));
    unique(networks.flatMap((n) => n.endpoints.map((e) => e.env)));
  });
});

describe.each(networks.map((network) => [network.label, network] as const))("%s", (_label, network) => {
  describe("settings", () => {
    it("has fields that are exactly its settings, each with a label and help, and placeholder settings that validate", () => {
      expect(network.placeholderSettings, "placeholderSettings: what preview uses and these tests start from").toBeDefined();
      const parsed = network.settingsSchema.parse(network.placeholderSettings);
      expect(Object.keys(parsed).sort()).toEqual(["enabled", ...network.fields.map((f) => f.key)].sort());
      for (const field of network.fields) {
        expect(field.label.trim(), field.key).not.toBe("");
        expect(field.help.trim(), field.key).not.toBe("");
      }
      expect(new Set(network.fields.map((f) => f.key)).size).toBe(network.fields.length);
    });

    it("switched off, needs nothing more; switched on, names every required field left blank", () => {
      expect(network.settingsSchema.safeParse({ enabled: false }).success).toBe(true);
      for (const field of network.fields.filter((f) => f.required)) {
        const result = network.settingsSchema.safeParse({ ...network.placeholderSettings, enabled: true, [field.key]: "" });
        expect(result.success, `${field.key} blank`).toBe(false);
        expect(result.error!.issues.map((issue) => issue.path.join("."))).toContain(field.key);
      }
    });

    it.each(databaseKinds)("round-trip through the settings store on %s: secrets sealed, blank in exports, kept when left blank", async (kind) => {
      const db = dbs[kind];
      const shop = `conformance-${network.id}.myshopify.com`;
      const settings = settingsWithSecrets(network);
      const file = { currency: "shop", sendTestOrders: false, networks: { [network.id]: settings } };
      await saveSettingsFile(db, shop, file);

      const loaded = (await loadShopConfig(db, shop))!.networks.find((n) => n.definition.id === network.id)!;
      expect(loaded.settings).toEqual(network.settingsSchema.parse(settings));
      const stored = JSON.stringify(await db.networkConnection.findMany({ where: { shop } }));
      for (const secret of secretsOf(network)) expect(stored).not.toContain(secret);

      const exported = await exportSettingsFile(db, shop);
      const block = (exported.networks as Record<string, Settings>)[network.id]!;
      for (const key of secretFieldKeys(network)) expect(block[key]).toBe("");
      for (const secret of secretsOf(network)) expect(JSON.stringify(exported)).not.toContain(secret);

      await saveSettingsFile(db, shop, exported);
      const again = (await loadShopConfig(db, shop))!.networks.find((n) => n.definition.id === network.id)!;
      expect(again.settings).toEqual(loaded.settings);
      expect(again.credentialsVersion).toBe(loaded.credentialsVersion);
      const withSecrets = await exportSettingsFile(db, shop, { includeSecrets: true });
      expect((withSecrets.networks as Record<string, Settings>)[network.id]).toEqual(loaded.settings);
    });
  });

  describe("secrets", () => {
    it("never appear in a preview, for any topic", async () => {
      const order = orderPayload();
      const files = {
        settings: path.join(scratch, `${network.id}-settings.json`),
        order: path.join(scratch, `${network.id}-order.json`),
        cancelled: path.join(scratch, `${network.id}-cancelled.json`),
        refund: path.join(scratch, `${network.id}-refund.json`),
      };
      writeFileSync(files.settings, JSON.stringify({ networks: { [network.id]: settingsWithSecrets(network) } }));
      writeFileSync(files.order, JSON.stringify(order));
      writeFileSync(files.cancelled, JSON.stringify({ ...order, cancelled_at: "2026-11-21T10:00:00-05:00" }));
      writeFileSync(files.refund, JSON.stringify({ order, refund: refundPayload(5_100_000_001) }));
      const runs = await Promise.all([
        preview({ orderFile: files.order, settingsFile: files.settings, topic: "orders/paid" }),
        preview({ orderFile: files.cancelled, settingsFile: files.settings, topic: "orders/cancelled" }),
        preview({ orderFile: files.refund, settingsFile: files.settings, topic: "refunds/create" }),
      ]);
      expect(runs[0]!.map((entry) => [entry.network, entry.action])).toEqual([[network.id, "send"]]);
      const printed = JSON.stringify(runs);
      for (const secret of secretsOf(network)) expect(printed).not.toContain(secret);
    });

    it("never appear in a logged request (URL, headers or body), for any topic", () => {
      const requests = sentRequests(network);
      expect(requests.map(([topic]) => topic)).toContain("orders/paid");
      for (const [topic, request] of requests) {
        const logged = JSON.stringify(redactRequest(request));
        for (const secret of secretsOf(network)) expect(logged, topic).not.toContain(secret);
      }
    });

    it("travel only in the headers it redacts, and what it redacts is a secret field (so no secret is declared public)", () => {
      const secrets = secretsOf(network);
      for (const [topic, request] of sentRequests(network)) {
        for (const name of request.secretHeaders) {
          const value = request.headers[name] ?? "";
          expect(secrets.some((secret) => value.includes(secret)), `${topic}: ${name} carries a field not marked secret`).toBe(true);
        }
      }
    });

    it("never appear in the attempt log of a real delivery, even when the network rejects the keys", async () => {
      const server = await loopback((_req, res) => {
        res.writeHead(401, { "content-type": "application/json", connection: "close" });
        res.end('{"error":"Unauthorized"}');
      });
      const db = dbs.sqlite;
      const shop = `conformance-log-${network.id}.myshopify.com`;
      const worker = startWorker({ db, pollIntervalMs: 10, requestTimeoutMs: 2_000, logger: { info() {}, warn() {}, error() {} } });
      try {
        pointEndpointsAt(network, server.origin);
        setDb(db);
        await saveSettingsFile(db, shop, { networks: { [network.id]: settingsWithSecrets(network) } });
        const request = signedWebhookRequest({ topic: "orders/paid", shop, body: orderPayload({ id: 5_100_000_002 }), eventId: `conformance-${network.id}` });
        expect((await paidAction({ request, params: {}, context: {} } as ActionFunctionArgs)).status).toBe(200);
        await worker.idle();
        await worker.idle();
        const attempts = await db.deliveryAttempt.findMany({ where: { shop } });
        expect(attempts.length).toBeGreaterThan(0);
        expect(server.received.length).toBeGreaterThan(0);
        const logged = JSON.stringify(attempts);
        for (const secret of secretsOf(network)) expect(logged).not.toContain(secret);
        const delivery = await db.delivery.findFirstOrThrow({ where: { shop, network: network.id } });
        expect(delivery.status).toBe("paused");
      } finally {
        await worker.stop();
        setDb(undefined);
        await server.close();
      }
    });
  });

  describe("mapping", () => {
    it("skips test orders unless the merchant sends them, saying why; sends them when asked", () => {
      const paid = decisions(network, settingsWithSecrets(network), { test: true }).find(([topic]) => topic === "orders/paid")![1];
      expect(paid).toMatchObject({ action: "skip", reason: expect.stringMatching(/test order/) });
      const asked = decisions(network, settingsWithSecrets(network), { test: true }, { sendTestOrders: true });
      expect(asked.find(([topic]) => topic === "orders/paid")![1].action).toBe("send");
    });

    it("switched off, skips every topic saying so", () => {
      for (const [topic, decision] of decisions(network, { ...settingsWithSecrets(network), enabled: false })) {
        expect(decision, topic).toMatchObject({ action: "skip", reason: `${network.label} is switched off in the settings` });
      }
    });

    it.runIf(!network.reversal.supported)("without reversals, skips cancellations and refunds with the reason it declares", () => {
      const reason = (network.reversal as { reason: string }).reason;
      for (const [topic, decision] of decisions(network, settingsWithSecrets(network))) {
        if (topic !== "orders/paid") expect(decision, topic).toMatchObject({ action: "skip", reason });
      }
    });

    it("sends every request to one of its own endpoints, read at call time", () => {
      const base = "http://127.0.0.1:9";
      pointEndpointsAt(network, base);
      const own = network.endpoints.map((endpoint) => new URL(endpointUrl(endpoint)));
      for (const [topic, request] of sentRequests(network)) {
        const url = new URL(request.url);
        expect(own.some((endpoint) => url.origin === endpoint.origin && url.pathname.startsWith(endpoint.pathname.replace(/\/+$/, ""))), `${topic} ${request.url}`).toBe(true);
      }
      for (const endpoint of network.endpoints) expect(endpoint.default, endpoint.env).toMatch(/^https:\/\//);
    });
  });

  describe("classification (the shared rules, for every request it sends)", () => {
    const answer = (status: number, body = "", headers: Record<string, string> = {}) => ({ status, body, headers });

    it("401 and 403 reject the keys; 408, 425 and 429 retry honouring Retry-After; 5xx retry; other 4xx are permanent", () => {
      for (const [topic, request] of sentRequests(network)) {
        for (const status of [401, 403]) expect(network.classify(answer(status, '{"error":"Unauthorized"}'), request).kind, `${topic} ${status}`).toBe("credentials_rejected");
        for (const status of [408, 425, 429]) {
          expect(network.classify(answer(status, "slow down", { "retry-after": "7" }), request), `${topic} ${status}`).toMatchObject({ kind: "retry", retryAfterMs: 7000 });
        }
        for (const status of [500, 502, 503, 504]) expect(network.classify(answer(status, "Service Unavailable"), request).kind, `${topic} ${status}`).toBe("retry");
        for (const status of [400, 404, 422]) expect(network.classify(answer(status, '{"error":"invalid"}'), request).kind, `${topic} ${status}`).toBe("permanent");
      }
    });

    it("a 2xx that is an HTML error page is never a failure for the merchant to fix (success or retry)", () => {
      for (const [topic, request] of sentRequests(network)) {
        const kind = network.classify(answer(200, "<html><head><title>502 Bad Gateway</title></head><body>Bad gateway</body></html>", { "content-type": "text/html" }), request).kind;
        expect(["success", "retry"], topic).toContain(kind);
      }
    });

    it("no answer in time, and an answer cut off midway, are retried", async () => {
      const silent = await loopback(() => {});
      const cut = await loopback((_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write('{"status":"succ');
        res.socket?.destroy();
      });
      try {
        for (const [server, timedOut] of [[silent, true], [cut, false]] as const) {
          pointEndpointsAt(network, server.origin);
          const [, request] = sentRequests(network)[0]!;
          const result = await sendNetworkRequest(request, { timeoutMs: 300 });
          expect(result.ok).toBe(false);
          if (result.ok) continue;
          expect(result.timedOut).toBe(timedOut);
          expect(classifyTransportFailure(result).kind).toBe("retry");
          for (const secret of secretsOf(network)) expect(result.error).not.toContain(secret);
        }
      } finally {
        await Promise.all([silent.close(), cut.close()]);
      }
    });
  });

  describe("credentials check", () => {
    it.runIf(Boolean(network.checkCredentials))("never follows a redirect, and proves nothing from one", async () => {
      const elsewhere = await loopback((_req, res) => res.end("ok"));
      const redirecting = await loopback((_req, res) => {
        res.writeHead(307, { location: `${elsewhere.origin}/collect`, connection: "close" });
        res.end();
      });
      try {
        pointEndpointsAt(network, redirecting.origin);
        const check = await network.checkCredentials!(settingsWithSecrets(network), {});
        expect(check.outcome).toBe("unverified");
        expect(elsewhere.received).toEqual([]);
        for (const secret of secretsOf(network)) expect(check.message).not.toContain(secret);
      } finally {
        await Promise.all([elsewhere.close(), redirecting.close()]);
      }
    });

    it.runIf(Boolean(network.checkCredentials))("when it asks and the network answers 401, says the keys are rejected; it reports no order", async () => {
      const server = await loopback((_req, res) => {
        res.writeHead(401, { "content-type": "application/json", connection: "close" });
        res.end('{"message":"Unauthenticated."}');
      });
      try {
        pointEndpointsAt(network, server.origin);
        const check = await network.checkCredentials!(settingsWithSecrets(network), {});
        // A network with no way to check asks nothing, and must say so rather than claim a result.
        expect(check.outcome).toBe(server.received.length ? "rejected" : "unverified");
        expect(server.received.length).toBeLessThanOrEqual(1);
        const conversion = sentRequests(network).find(([topic]) => topic === "orders/paid")![1];
        for (const request of server.received) expect(`${request.method} ${request.url}`).not.toBe(`${conversion.method} ${new URL(conversion.url).pathname}${new URL(conversion.url).search}`);
        for (const secret of secretsOf(network)) expect(check.message).not.toContain(secret);
      } finally {
        await server.close();
      }
    });
  });

  describe(`its simulator (app/networks/${network.id}/simulator.ts)`, () => {
    let sims: NetworkSimulators;
    beforeAll(async () => {
      sims = await startNetworkSimulators({ networks: [network.id as SimulatedNetwork] });
    });
    afterAll(() => sims?.close());
    beforeEach(() => {
      sims.reset();
      for (const [name, value] of Object.entries(sims.env)) vi.stubEnv(name, value);
    });

    /** The relay's own conversion request, with the settings the simulator accepts, sent over loopback. */
    const conversion = () => {
      const settings = (sims.credentials as Record<string, Settings>)[network.id]!;
      return decisions(network, settings).flatMap(([topic, decision]) => (topic === "orders/paid" && decision.action === "send" ? [decision.request] : []))[0]!;
    };
    const send = async (request: NetworkRequest) => {
      const result = await sendNetworkRequest(request, { timeoutMs: 5_000 });
      expect(result.ok, result.ok ? "" : result.error).toBe(true);
      const response = (result as { response: NetworkResponse }).response;
      return { response, received: sims.received(network.id as SimulatedNetwork).at(-1)!, classification: network.classify(response, request) };
    };
    /** The request without one field: a path into its JSON body, or a query parameter of a request without one. */
    const without = (request: NetworkRequest, field: string): NetworkRequest => {
      if (request.body === null) {
        const url = new URL(request.url);
        expect(url.searchParams.has(field), `${field} is in the relay's request`).toBe(true);
        url.searchParams.delete(field);
        return { ...request, url: url.toString() };
      }
      const body = structuredClone(request.body) as Record<string, unknown>;
      const keys = field.split(".");
      const parent = keys.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], body) as Record<string, unknown> | undefined;
      expect(parent !== undefined && keys.at(-1)! in parent, `${field} is in the relay's request`).toBe(true);
      delete parent![keys.at(-1)!];
      return { ...request, body };
    };

    it("accepts the relay's own conversion, and the relay reads the answer as a success", async () => {
      const { received, classification } = await send(conversion());
      expect(received.problems).toEqual([]);
      expect(received.accepted).toBe(true);
      expect(classification.kind).toBe("success");
    });

    it("refuses the conversion without each field the network requires, and the relay never reads that as a success", async () => {
      const { definition } = await loadSimulator(network.id);
      expect(definition.requiredFields.length).toBeGreaterThan(0);
      for (const field of definition.requiredFields) {
        const { received, classification } = await send(without(conversion(), field));
        expect(received.accepted, `without ${field}`).toBe(false);
        expect(classification.kind, `without ${field}`).not.toBe("success");
      }
      expect(sims.accepted(network.id as SimulatedNetwork)).toEqual([]);
    });

    it.runIf(sentRequests(network).some(([, request]) => request.secretHeaders.length > 0))("refuses it without each secret header, as rejected keys", async () => {
      const request = conversion();
      for (const name of request.secretHeaders) {
        const { [name]: _dropped, ...headers } = request.headers;
        const { received, classification } = await send({ ...request, headers });
        expect(received.accepted, `without ${name}`).toBe(false);
        expect(classification.kind, `without ${name}`).toBe("credentials_rejected");
      }
    });
  });

  // Networks whose click the storefront does not capture from a landing parameter (Refersion) have none of these.
  const capture = network.storefront;
  if (capture) describe("storefront capture", () => {
    const whole = (value: string) => new RegExp(`^(?:${capture.pattern})$`).test(value);

    it("has a pattern that compiles, takes its example and refuses the empty and the oversized", () => {
      expect(() => new RegExp(capture.pattern)).not.toThrow();
      expect(whole(capture.example)).toBe(true);
      expect(whole("")).toBe(false);
      // Shopper-controlled input kept in a cookie and a cart attribute: it must be bounded.
      expect(whole("x".repeat(1000))).toBe(false);
    });

    it("has legal, hidden names and a window of 1 to 365 days the storefront configuration accepts", () => {
      const days = "fixed" in capture.days ? capture.days.fixed : capture.days.default;
      const parsed = storefrontCaptureSchema.safeParse({
        param: capture.param,
        pattern: capture.pattern,
        cookie: capture.cookie,
        days,
        attribute: capture.cartAttribute,
        ...(capture.redirectParam ? { redirect: capture.redirectParam } : {}),
      });
      expect(parsed.error?.issues ?? []).toEqual([]);
      // Cart attributes starting with "_" are hidden from the shopper at checkout.
      expect(capture.cartAttribute).toMatch(/^_/);
    });

    it.runIf("setting" in capture.days)("takes its window from a number setting the merchant sees, with the same default", () => {
      const { setting, default: fallback } = capture.days as { setting: string; default: number };
      const field = network.fields.find((f) => f.key === setting);
      expect(field).toMatchObject({ input: "number", secret: false });
      const parsed = network.settingsSchema.parse({ ...network.placeholderSettings, [setting]: undefined }) as Settings;
      expect(parsed[setting]).toBe(fallback);
    });

    it("attributes an order carrying its cart attribute, and skips one without it saying why", () => {
      const settings = settingsWithSecrets(network);
      const withClick = decisions(network, settings, { noteAttributes: { [capture.cartAttribute]: capture.example } });
      expect(withClick.find(([topic]) => topic === "orders/paid")![1].action).toBe("send");
      const request = sentRequests(network).find(([topic]) => topic === "orders/paid")![1];
      expect(JSON.stringify([request.url, request.body])).toContain(capture.example);
      const without = decisions(network, settings, { noteAttributes: {} }).find(([topic]) => topic === "orders/paid")![1];
      expect(without).toMatchObject({ action: "skip", reason: expect.stringContaining(capture.cartAttribute) });
    });
  });
});

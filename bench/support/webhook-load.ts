// The load generator for the ingestion benchmark, run in its own process so that it does not share the server's
// event loop: signs distinct orders/paid webhooks up front (Shopify's HMAC over the raw body), then sends them
// over keep-alive connections, either as fast as `connections` allow (closed loop) or at a fixed rate (open loop,
// latency measured from each request's scheduled time, so a stalled server cannot hide its queueing).
//   node --import tsx bench/support/webhook-load.ts '<json options>'   -> prints one JSON result line
import { createHmac } from "node:crypto";
import http from "node:http";
import { API_VERSION } from "../../app/shopify/api-version.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";

interface Options {
  url: string;
  secret: string;
  shop: string;
  mode: "closed" | "open";
  connections: number;
  /** open loop: requests per second */
  rate?: number;
  durationMs: number;
  /** distinct orders start at this number (each run its own orders) */
  firstOrder: number;
}

const options = JSON.parse(process.argv[2]!) as Options;
const total = options.mode === "open" ? Math.ceil((options.rate! * options.durationMs) / 1000) : Math.ceil(options.durationMs * 3);
const target = new URL(options.url);
// Created just now, as a fresh order's orders/paid is: an old one takes ingestion's extra statement for orders that
// may land on a settled accuracy day (app/pipeline/ingest.server.ts).
const template = JSON.stringify({ ...attributedOrder(1), created_at: new Date().toISOString() });

// Distinct orders: same shape (every network's click), different id and name; signed before the clock starts.
const requests = Array.from({ length: total }, (_, i) => {
  const n = options.firstOrder + i;
  const body = template
    .replaceAll("5000000001", String(5_000_000_000 + n))
    .replaceAll('"#1001"', `"#${1000 + n}"`);
  const headers = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "x-shopify-topic": "orders/paid",
    "x-shopify-hmac-sha256": createHmac("sha256", options.secret).update(body, "utf8").digest("base64"),
    "x-shopify-shop-domain": options.shop,
    "x-shopify-api-version": API_VERSION,
    "x-shopify-webhook-id": `bench-w-${n}`,
    "x-shopify-event-id": `bench-e-${n}`,
    "x-shopify-triggered-at": new Date().toISOString(),
  };
  return { body, headers };
});

const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });

function send(i: number): Promise<number> {
  const { body, headers } = requests[i]!;
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

const latencies: number[] = [];
const statuses: Record<string, number> = {};
const started = performance.now();
let sent = 0;

if (options.mode === "closed") {
  const end = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < end && sent < total) {
        const i = sent++;
        const t = performance.now();
        const status = await send(i);
        latencies.push(performance.now() - t);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
} else {
  const interval = 1000 / options.rate!;
  const inflight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    sent++;
    inflight.push(
      send(i).then((status) => {
        latencies.push(performance.now() - scheduled);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(inflight);
}
const elapsed = performance.now() - started;
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, seconds: elapsed / 1000, throughput: latencies.length / (elapsed / 1000), p50: pct(50), p99: pct(99), max: latencies[latencies.length - 1], statuses })}\n`,
);

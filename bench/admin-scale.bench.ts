// The admin at scale: one shop with 1,000,000 deliveries and 3,000,000 attempts (and a second, smaller shop beside
// it, so every query's shop scoping is exercised), on SQLite and on PostgreSQL. Times the deliveries index under
// every filter (first page and a page from a cursor half a year back) and the accuracy page (7, 30 and 90 days)
// through HTTP against the production build's real loaders, with a session token of the shop, as the embedded
// app's client-side navigations fetch them (Remix data requests); and whole documents (layout loader, page loader,
// server rendering) for the two pages. Target: p95 under 150 ms. Run: npm run bench admin-scale
import "./support/admin-env.ts";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { createDb, type DbKind } from "../app/db/client.server.ts";
import { encodeCursor } from "../app/admin/deliveries.server.ts";
import { ensureAppBuild } from "../devkit/admin/app-build.ts";
import { serveApp, TEST_ENV } from "../devkit/admin/serve.ts";
import { adminHost, sessionToken } from "../devkit/admin/session-token.ts";
import { createPostgresDatabaseOn, createSqliteDatabase } from "../devkit/databases/migrated-databases.ts";
import { startPostgresCluster } from "../devkit/databases/postgres-cluster.ts";
import { startMetafieldsAdminApi } from "../devkit/shopify-admin/metafields-admin-api.ts";
import { deliveriesOf, SEED_NETWORKS, seedScaleShop, type ScaleShop } from "./support/admin-seed.ts";
import { percentile, table } from "./support/pipeline-env.ts";

const TARGET_MS = 150;
const WARMUP = 5;
const RUNS = Number(process.env.ADMIN_BENCH_RUNS ?? 40);
const DAY = 86_400_000;
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

const MAIN: ScaleShop = { shop: "scale-shop.myshopify.com", prefix: "A", orders: Number(process.env.ADMIN_BENCH_ORDERS ?? 240_000), refunds: true, attemptsPerDelivery: 3 };
const OTHER: ScaleShop = { shop: "scale-other.myshopify.com", prefix: "B", orders: 20_000, refunds: true, attemptsPerDelivery: 1 };

interface Row {
  id: string;
  network: string;
  kind: string;
  status: string;
  orderName: string;
  createdAt: string;
}
interface Case {
  name: string;
  path: string;
  route: string;
  /** What the answer must hold (null when it does); catches a fast wrong answer. */
  check(data: unknown): string | null;
}

const now = new Date();
const day = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString().slice(0, 10);
// A cursor half a year back: the page after it is as deep in the index as pages get.
const deepCursor = encodeCursor({ createdAt: new Date(now.getTime() - 182 * DAY), id: "~" });

function deliveriesCheck(filter: Partial<Record<"network" | "status" | "kind" | "order", string>>, expect: "rows" | "none") {
  return (data: unknown): string | null => {
    const rows = (data as { page?: { rows?: Row[] } }).page?.rows;
    if (!Array.isArray(rows)) return "no rows in the answer";
    if (expect === "none") return rows.length ? `${rows.length} rows, none expected` : null;
    if (!rows.length) return "no rows";
    for (const row of rows) {
      if (!row.id.startsWith(`d${MAIN.prefix}`)) return `row ${row.id} is not the shop's`;
      if (filter.network && row.network !== filter.network) return `row of ${row.network}`;
      if (filter.status && row.status !== filter.status) return `row ${row.status}`;
      if (filter.kind && !(filter.kind === "refund" ? row.kind.startsWith("refund:") : row.kind === filter.kind)) return `row of kind ${row.kind}`;
      if (filter.order && row.orderName !== filter.order) return `row of order ${row.orderName}`;
    }
    const times = rows.map((row) => row.createdAt);
    if (times.some((t, i) => i > 0 && t > times[i - 1]!)) return "not newest first";
    return null;
  };
}

function deliveryCases(): Case[] {
  const route = "routes/app.deliveries._index";
  const from = day(120 * DAY);
  const to = day(114 * DAY);
  // Filters named by the seed's own networks (bench/support/admin-seed.ts): the one that reports every order (and
  // is given the reversals) and those that need their click.
  const everyOrder = SEED_NETWORKS.find((network) => network.everyOrder)!.id;
  const clicked = SEED_NETWORKS.filter((network) => !network.everyOrder).map((network) => network.id);
  const filters: Array<[string, Record<string, string>, "rows" | "none"]> = [
    ["no filter", {}, "rows"],
    [`network=${clicked[0]}`, { network: clicked[0]! }, "rows"],
    ["status=failed", { status: "failed" }, "rows"],
    ["status=skipped", { status: "skipped" }, "rows"],
    ["status=stopped (none)", { status: "stopped" }, "none"],
    ["kind=conversion", { kind: "conversion" }, "rows"],
    ["kind=cancellation", { kind: "cancellation" }, "rows"],
    ["kind=refund", { kind: "refund" }, "rows"],
    [`kind=refund network=${clicked[1]} (none)`, { kind: "refund", network: clicked[1]! }, "none"],
    [`network=${everyOrder} status=skipped`, { network: everyOrder, status: "skipped" }, "rows"],
    [`network=${clicked.at(-1)} status=failed`, { network: clicked.at(-1)!, status: "failed" }, "rows"],
    [`network=${clicked.at(-1)} status=pending`, { network: clicked.at(-1)!, status: "pending" }, "rows"],
    ["status=failed kind=cancellation (none)", { status: "failed", kind: "cancellation" }, "none"],
    [`dates ${from}..${to}`, { from, to }, "rows"],
    [`dates + network=${clicked[1]} status=failed`, { from, to, network: clicked[1]!, status: "failed" }, "rows"],
    ["order=#A1777", { order: "#A1777" }, "rows"],
    ["order=#Z999 (none)", { order: "#Z999" }, "none"],
  ];
  const cases: Case[] = [];
  for (const [name, params, expect] of filters) {
    const query = new URLSearchParams(params).toString();
    const check = deliveriesCheck(params, expect);
    cases.push({ name: `deliveries ${name}`, path: `/app/deliveries${query ? `?${query}` : ""}`, route, check });
    // Order names and short date ranges fit on one page, and the queued are all recent: no later page to time.
    if (!params.order && !params.from && params.status !== "pending" && expect === "rows") {
      const later = new URLSearchParams({ ...params, after: deepCursor }).toString();
      cases.push({ name: `deliveries ${name}, later page`, path: `/app/deliveries?${later}`, route, check });
    }
  }
  return cases;
}

function accuracyCases(): Case[] {
  return [7, 30, 90].map((days) => ({
    name: `accuracy ${days} days`,
    path: `/app/accuracy?days=${days}`,
    route: "routes/app.accuracy",
    check(data) {
      const answer = data as { networks?: Array<{ network: string; paidOrders: number; delivered: number }>; capture?: Array<{ orders: number }> };
      if (answer.networks?.length !== 4) return `${answer.networks?.length} networks`;
      const paid = answer.networks[0]!.paidOrders;
      // The window starts at midnight UTC days - 1 days ago: between days - 1 and days days of orders.
      const least = Math.round((MAIN.orders * (days - 1)) / 365);
      const most = Math.round((MAIN.orders * days) / 365);
      if (paid < least * 0.99 || paid > most * 1.01) return `${paid} paid orders, ${least} to ${most} expected`;
      if (!answer.networks.every((n) => n.delivered > 0)) return "a network delivered nothing";
      return null;
    },
  }));
}

const layoutCase: Case = { name: "layout (banners)", path: "/app", route: "routes/app", check: (data) => ((data as { attention?: unknown }).attention ? null : "no attention") };

async function timed(url: string, init: RequestInit): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  return { ms: performance.now() - started, status: response.status, text };
}

const token = () => sessionToken({ shop: MAIN.shop, apiKey: TEST_ENV.SHOPIFY_API_KEY, apiSecret: TEST_ENV.SHOPIFY_API_SECRET });

async function measureData(base: string, c: Case): Promise<{ p50: number; p95: number; first: number; problem: string | null }> {
  const url = `${base}${c.path}${c.path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(c.route)}`;
  const times: number[] = [];
  let problem: string | null = null;
  let first = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const answer = await timed(url, { headers: { Authorization: `Bearer ${token()}`, "User-Agent": USER_AGENT } });
    if (i === 0) first = answer.ms;
    if (answer.status !== 200) problem ??= `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`;
    else if (i === 0) problem ??= c.check(JSON.parse(answer.text));
    if (i >= WARMUP) times.push(answer.ms);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), first, problem };
}

async function measureDocument(base: string, path: string): Promise<{ p50: number; p95: number; problem: string | null }> {
  const times: number[] = [];
  let problem: string | null = null;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const url = new URL(path, base);
    for (const [key, value] of Object.entries({ embedded: "1", shop: MAIN.shop, host: adminHost(MAIN.shop), id_token: token(), locale: "en" })) url.searchParams.set(key, value);
    const answer = await timed(url.href, { headers: { "User-Agent": USER_AGENT, Accept: "text/html" } });
    if (answer.status !== 200 || !answer.text.includes("<html")) problem ??= `HTTP ${answer.status}`;
    if (i >= WARMUP) times.push(answer.ms);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), problem };
}

const ms = (value: number) => value.toFixed(1);
const results: Array<Array<string | number>> = [];
let misses = 0;

async function benchDatabase(kind: DbKind, url: string): Promise<void> {
  const db = createDb(url);
  const seedStarted = performance.now();
  try {
    await seedScaleShop(db, url, OTHER, now);
    await seedScaleShop(db, url, MAIN, now);
    const [deliveries, attempts] = await Promise.all([db.delivery.count({ where: { shop: MAIN.shop } }), db.deliveryAttempt.count({ where: { shop: MAIN.shop } })]);
    console.log(`${kind}: seeded ${deliveries} deliveries and ${attempts} attempts for ${MAIN.shop} (and ${deliveriesOf(OTHER)} deliveries for ${OTHER.shop}) in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);
  } finally {
    await db.$disconnect();
  }
  const adminApi = await startMetafieldsAdminApi([`shpat_${MAIN.prefix}_offline`, `shpat_${OTHER.prefix}_offline`]);
  const app = await serveApp(url, { SHOPIFY_ADMIN_API_ORIGIN: adminApi.origin }, { worker: false });
  try {
    for (const c of [layoutCase, ...deliveryCases(), ...accuracyCases()]) {
      const figure = await measureData(app.url, c);
      const met = !figure.problem && figure.p95 < TARGET_MS;
      if (!met) misses++;
      results.push([kind, c.name, ms(figure.p50), ms(figure.p95), `< ${TARGET_MS}`, figure.problem ? `NO: ${figure.problem}` : met ? "yes" : "NO"]);
      // The accuracy page's first load counts the days not yet stored live (app/admin/accuracy-days.server.ts):
      // reported, not held to the target, which is about the page as merchants keep opening it.
      if (c.route === "routes/app.accuracy") results.push([kind, `${c.name}, first load (unstored days counted)`, ms(figure.first), "", "", "(reported)"]);
      // Each figure as it comes (stderr, so the report on stdout keeps only the table): a long run cut short still tells.
      console.error(results.at(-1)!.join(" | "));
    }
    for (const path of ["/app/deliveries", "/app/accuracy?days=90"]) {
      const figure = await measureDocument(app.url, path);
      const met = !figure.problem && figure.p95 < TARGET_MS;
      if (!met) misses++;
      results.push([kind, `document ${path}`, ms(figure.p50), ms(figure.p95), `< ${TARGET_MS}`, figure.problem ? `NO: ${figure.problem}` : met ? "yes" : "NO"]);
    }
  } finally {
    await app.stop();
    await adminApi.close();
  }
}

await ensureAppBuild();
const only = (process.env.ADMIN_BENCH_DATABASES ?? "sqlite,postgresql").split(",");
if (only.includes("sqlite")) {
  const url = await createSqliteDatabase("relay-admin-bench-");
  try {
    await benchDatabase("sqlite", url);
  } finally {
    // Some 2.5 GB: never left behind in /tmp.
    rmSync(path.dirname(url.replace(/^file:/, "")), { recursive: true, force: true });
  }
}
if (only.includes("postgresql")) {
  const cluster = await startPostgresCluster();
  try {
    await benchDatabase("postgresql", await createPostgresDatabaseOn(cluster.adminUrl, "admin_scale"));
  } finally {
    cluster.stop();
  }
}
console.log(`\nAdmin at scale: ${MAIN.orders} orders, ${deliveriesOf(MAIN)} deliveries, ${deliveriesOf(MAIN) * MAIN.attemptsPerDelivery} attempts for one shop; ${RUNS} timed loads per figure after ${WARMUP} warm-up, one at a time`);
console.log(`load average (1, 5, 15 min) at the end: ${execFileSync("uptime").toString().trim().replace(/^.*load average: /, "")} (the machine is shared)\n`);
console.log(table(["database", "figure", "p50 ms", "p95 ms", "target ms", "met"], results));
console.log(misses ? `\n${misses} figure(s) miss the target` : "\nEvery figure meets the target.");
process.exitCode = misses ? 1 : 0;

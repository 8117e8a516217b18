// What the app embed adds to a storefront page: requests and bytes on the wire (gzip, as Shopify's CDN serves it),
// measured in Chromium against the local harness and compared with the same page without the embed, in one run.
// Run: npx tsx bench/storefront.bench.ts
import type { Browser } from "playwright-core";
import { buildStorefrontScript, gzippedSize } from "../scripts/build-storefront.mjs";
import { everyCapturedClick, Harness, launchChromium, metafieldFor, ownTrackersOff, type Scenario, TRACKER_REFERRAL, visitorContext } from "../devkit/storefront/harness.ts";

interface Measure {
  requests: number;
  bytes: number;
  kinds: Record<string, number>;
}

const RUNS = 3;

function kindOf(url: URL, harness: Harness): string | null {
  if (url.origin === harness.trackerOrigin) return url.pathname === "/record" ? null : "tracker"; // /record: the stand-in's own bookkeeping
  if (url.pathname.startsWith("/cart")) return "cart";
  if (url.pathname.startsWith("/assets/")) return "script";
  return "page";
}

async function measure(browser: Browser, harness: Harness, scenario: Partial<Scenario>, visits: string[]): Promise<Measure> {
  harness.reset(scenario);
  const { context } = await visitorContext(browser);
  const page = await context.newPage();
  const pending: Array<Promise<void>> = [];
  const result: Measure = { requests: 0, bytes: 0, kinds: {} };
  let counting = false;
  context.on("requestfinished", (request) => {
    if (!counting) return;
    const kind = kindOf(new URL(request.url()), harness);
    if (!kind) return;
    pending.push(
      request.sizes().then((sizes) => {
        result.requests++;
        result.bytes += sizes.requestHeadersSize + sizes.requestBodySize + sizes.responseHeadersSize + sizes.responseBodySize;
        result.kinds[kind] = (result.kinds[kind] ?? 0) + 1;
      }),
    );
  });
  for (const [index, path] of visits.entries()) {
    counting = index === visits.length - 1; // earlier visits only set the visitor up (a referral already stored)
    await page.goto(harness.storeOrigin + path, { waitUntil: "load" });
    await page.waitForLoadState("networkidle");
  }
  await Promise.all(pending);
  await context.close();
  return result;
}

const harness = await new Harness().start();
const browser = await launchChromium();
try {
  const all = metafieldFor(harness);
  const noTracker = metafieldFor(harness, ownTrackersOff());
  // Every registered network's click at once: the tracker's referral and each capture's example.
  const referral = `${TRACKER_REFERRAL}&${everyCapturedClick()}`;
  const cases: Array<[string, Partial<Scenario>, string[]]> = [
    ["no referral, own trackers off", { metafield: noTracker }, ["/products/linen-shirt"]],
    ["no referral, every network on", { metafield: all }, ["/products/linen-shirt"]],
    ["referral landing (every network's click)", { metafield: all }, [`/products/linen-shirt?${referral}`]],
    ["referred visitor, next page", { metafield: all }, [`/?${referral}`, "/products/linen-shirt"]],
    ["referral landing, own trackers off", { metafield: noTracker }, [`/products/linen-shirt?${everyCapturedClick()}`]],
  ];
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const baselineRuns: Measure[] = [];
  for (let i = 0; i < RUNS; i++) baselineRuns.push(await measure(browser, harness, { metafield: all }, ["/products/linen-shirt?no_embed=1"]));
  const baseline = { requests: median(baselineRuns.map((m) => m.requests)), bytes: median(baselineRuns.map((m) => m.bytes)) };

  const code = await buildStorefrontScript();
  console.log(`storefront script: ${Buffer.byteLength(code)} B minified, ${gzippedSize(code)} B gzipped (budget 3072 B gzipped)`);
  console.log(`baseline page without the embed: ${baseline.requests} request(s), ${baseline.bytes} B (median of ${RUNS})`);
  console.log("");
  console.log("| case | requests added | bytes added | added requests by kind |");
  console.log("|---|---:|---:|---|");
  for (const [label, scenario, visits] of cases) {
    const runs: Measure[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, harness, scenario, visits));
    const requests = median(runs.map((m) => m.requests)) - baseline.requests;
    const bytes = median(runs.map((m) => m.bytes)) - baseline.bytes;
    const kinds = Object.entries(runs[0]!.kinds)
      .filter(([kind]) => kind !== "page")
      .map(([kind, count]) => `${kind} ${count}`)
      .join(", ");
    console.log(`| ${label} | ${requests} | ${bytes} | ${kinds || "-"} |`);
  }
  console.log("");
  console.log("bytes include request and response headers and the embed's markup in the page; tracker rows count the harness's stand-in tracker, not the network's real file");
} finally {
  await browser.close();
  await harness.stop();
}

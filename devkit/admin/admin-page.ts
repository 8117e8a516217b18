// Opening admin pages in Chromium as Shopify admin embeds them, and keeping what every test must check: requests
// that tried to leave the machine, errors in the page (React reports hydration mismatches on the console), and
// every response the app sent the browser (HTML, loader and action JSON), for grepping.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { adminContext } from "./browser.ts";
import { TEST_ENV } from "./serve.ts";
import { adminHost, sessionToken } from "./session-token.ts";

export interface AdminSession {
  context: BrowserContext;
  page: Page;
  blocked: string[];
  errors: string[];
  /** Bodies of every response from the app's own origin. */
  responses: string[];
  /** Largest contentful paint and cumulative layout shift of the page loaded last, the slowest interaction since. */
  webVitals(): Promise<{ lcpMs: number; cls: number; inpMs: number }>;
  /** Loads `path` the way Shopify admin loads the app's iframe (a fresh session token in id_token). */
  open(path: string): Promise<{ status: number; html: string }>;
  close(): Promise<void>;
}

export async function adminSession(browser: Browser, appUrl: string, shop: string, secret: string = TEST_ENV.SHOPIFY_API_SECRET): Promise<AdminSession> {
  const token = () => sessionToken({ shop, apiKey: TEST_ENV.SHOPIFY_API_KEY, apiSecret: secret });
  const { context, blocked } = await adminContext(browser, token);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // Web Vitals as Chromium reports them (the figures Built for Shopify reads), kept per document.
  await page.addInitScript(() => {
    const vitals = { lcpMs: 0, cls: 0, inpMs: 0 };
    (window as unknown as { __vitals: typeof vitals }).__vitals = vitals;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) vitals.lcpMs = entry.startTime;
    }).observe({ type: "largest-contentful-paint", buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>) if (!entry.hadRecentInput) vitals.cls += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { interactionId?: number }>) if (entry.interactionId) vitals.inpMs = Math.max(vitals.inpMs, entry.duration);
    }).observe({ type: "event", buffered: true, durationThreshold: 16 } as PerformanceObserverInit);
  });
  const errors: string[] = [];
  const responses: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (!response.url().startsWith(appUrl) || /\.(js|css|svg|ico|woff2?)(\?|$)/.test(response.url())) return;
    response.text().then(
      (text) => responses.push(text),
      () => undefined,
    );
  });
  return {
    context,
    page,
    blocked,
    errors,
    responses,
    async open(path) {
      const url = new URL(path, appUrl);
      for (const [key, value] of Object.entries({ embedded: "1", shop, host: adminHost(shop), id_token: token(), locale: "en" })) url.searchParams.set(key, value);
      const response = await page.goto(url.href, { waitUntil: "networkidle", timeout: 30_000 });
      return { status: response?.status() ?? 0, html: (await response?.text()) ?? "" };
    },
    webVitals: () => page.evaluate(() => ({ ...(window as unknown as { __vitals: { lcpMs: number; cls: number; inpMs: number } }).__vitals })),
    close: () => context.close(),
  };
}

// Driving bench/support/ingest-server.ts and bench/support/webhook-load.ts from a bench: each in a process of its
// own (so neither shares the measuring process's event loop), as bench/ingest.bench.ts runs them.
import { spawn } from "node:child_process";
import path from "node:path";
import { BENCH_SECRET } from "./pipeline-env.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface LoadResult {
  requests: number;
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
}

function runNode(args: string[], onLine?: (line: string) => void): { done: Promise<string>; kill: () => void } {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: process.env });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (onLine) for (const line of chunk.toString().split("\n")) if (line.trim()) onLine(line);
  });
  return {
    done: new Promise((resolve, reject) => child.on("exit", (code) => (code === 0 || code === null ? resolve(out) : reject(new Error(`${args[0]} exited ${code}`))))),
    kill: () => child.kill("SIGKILL"),
  };
}

/** Starts one ingestion server ("baseline", "route" or "remix": see ingest-server.ts) for `shop` with `settings`. */
export async function startIngestServer(scenario: string, databaseUrl: string, shop: string, settings: unknown): Promise<{ url: string; stop: () => void }> {
  let resolveUrl: (url: string) => void;
  const ready = new Promise<string>((resolve) => (resolveUrl = resolve));
  const server = runNode([path.join(root, "bench/support/ingest-server.ts"), JSON.stringify({ scenario, databaseUrl, shop, settings })], (line) => {
    // The server's own line names its url; the app's JSON log lines (the Shopify library's among them) do not.
    if (line.startsWith("{")) {
      const parsed = JSON.parse(line) as { url?: unknown };
      if (typeof parsed.url === "string") resolveUrl(parsed.url);
    }
  });
  // A server that dies before listening fails the bench instead of leaving it waiting for ever.
  const died = server.done.then(
    () => Promise.reject(new Error("the ingestion server exited before listening")),
    (error: Error) => Promise.reject(error),
  );
  died.catch((error: Error) => console.error(error.message));
  return { url: await Promise.race([ready, died]), stop: server.kill };
}

let nextOrder = 1;
/** Signed, distinct orders/paid webhooks to `url` (every call its own orders), closed or open loop. */
export async function loadWebhooks(url: string, shop: string, mode: "closed" | "open", durationMs: number, extra: { connections: number; rate?: number }): Promise<LoadResult> {
  const firstOrder = nextOrder;
  nextOrder += 100_000;
  const out = await runNode([path.join(root, "bench/support/webhook-load.ts"), JSON.stringify({ url, secret: BENCH_SECRET, shop, mode, durationMs, firstOrder, ...extra })]).done;
  return JSON.parse(out.trim().split("\n").pop()!) as LoadResult;
}

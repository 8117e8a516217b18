// Runs the real production server as operators do (`node bin/affiliate-relay.mjs serve`) on a free port.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

export const TEST_ENV = {
  SHOPIFY_API_KEY: "test-api-key",
  SHOPIFY_API_SECRET: "test-api-secret",
  SHOPIFY_APP_URL: "https://relay.test",
  SCOPES: "read_orders",
  ENCRYPTION_KEY: "k1:" + Buffer.alloc(32, 7).toString("base64"),
} as const;

export interface ServedApp {
  url: string;
  port: number;
  child: ChildProcess;
  /** From spawning node to the "listening" line. */
  coldStartMs: number;
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and resolves with the exit code and how long the shutdown took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/**
 * `worker: false` runs the same server without the delivery worker (devkit/admin/pages-server.ts), for benchmarks
 * that time pages on seeded rows nothing may change.
 */
export async function serveApp(databaseUrl: string, extraEnv: Record<string, string> = {}, options: { worker?: boolean } = {}): Promise<ServedApp> {
  const started = performance.now();
  const args = options.worker === false ? ["--import", "tsx", path.join(import.meta.dirname, "pages-server.ts")] : [path.join(root, "bin", "affiliate-relay.mjs"), "serve"];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", ...TEST_ENV, DATABASE_URL: databaseUrl, PORT: "0", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s:\n${log}`)), 30_000);
    const onData = () => {
      const match = /listening on http:\/\/localhost:(\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${log}`));
    });
  });
  const coldStartMs = performance.now() - started;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    coldStartMs,
    output: () => log,
    exited,
    async stop(signal = "SIGTERM") {
      const t = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      return { ...result, ms: performance.now() - t };
    },
  };
}

/** Runs `serve` with exactly the given environment and waits for it to exit by itself (start-up failures). */
export function runServeUntilExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "bin", "affiliate-relay.mjs"), "serve"], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve did not exit within 30 s:\n${stdout}${stderr}`));
    }, 30_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

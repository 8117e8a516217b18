// What /healthz, /readyz and /metrics answer, for the production server (app/server/http.server.ts, on its own
// port) and for the small listener on METRICS_PORT (app/cli/commands/worker.ts, and serve when it is set).
//
// /metrics is off on the app's public port unless METRICS_TOKEN is set (404), and then needs
// `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). The METRICS_PORT listener binds METRICS_HOST (default
// 127.0.0.1) and asks for the token too when one is set.
import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Readiness } from "./readiness.server.ts";

/** What the process measures; implemented on the build's own modules (app/server/background.server.ts). */
export interface Probes {
  metrics(): Promise<{ contentType: string; body: string }>;
  readiness(): Promise<Readiness>;
}

export interface Answer {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

const TEXT = "text/plain; charset=utf-8";
const MIN_TOKEN_LENGTH = 16;

/** METRICS_TOKEN, checked: undefined when unset; a start-up error when too short to be a secret. */
export function metricsTokenFromEnv(value = process.env.METRICS_TOKEN): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (value.length < MIN_TOKEN_LENGTH) throw new Error(`METRICS_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters`);
  return value;
}

/** METRICS_PORT and METRICS_HOST: undefined when no separate listener is wanted. */
export function metricsListenFromEnv(env: NodeJS.ProcessEnv = process.env): { port: number; host: string } | undefined {
  const text = env.METRICS_PORT;
  if (text === undefined || text === "") return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`METRICS_PORT must be a port number (0-65535), got "${text}"`);
  return { port, host: env.METRICS_HOST || "127.0.0.1" };
}

// Compared as digests: equal length whatever was sent, so the comparison time says nothing about the token.
const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(authorization ?? "");
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), digest(token));
}

export function healthAnswer(): Answer {
  return { status: 200, contentType: TEXT, body: "ok" };
}

export async function readinessAnswer(probes: Probes): Promise<Answer> {
  const readiness = await probes.readiness().catch((): Readiness => ({ ready: false, reason: "the readiness check failed" }));
  return readiness.ready ? { status: 200, contentType: TEXT, body: "ready" } : { status: 503, contentType: TEXT, body: `not ready: ${readiness.reason}` };
}

/** `token` undefined: /metrics is not served here (404), unless `open` (a private listener without a token). */
export async function metricsAnswer(probes: Probes, options: { token: string | undefined; open?: boolean; authorization: string | undefined }): Promise<Answer> {
  if (options.token === undefined) {
    if (!options.open) return { status: 404, contentType: TEXT, body: "Not Found" };
  } else if (!bearerMatches(options.authorization, options.token)) {
    return { status: 401, contentType: TEXT, body: "Unauthorized", headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } };
  }
  const { contentType, body } = await probes.metrics();
  return { status: 200, contentType, body };
}

export interface ProbeListener {
  port: number;
  close(): Promise<void>;
}

/** The METRICS_PORT listener: /metrics, /healthz and /readyz, nothing else. */
export async function startProbeListener(probes: Probes, options: { port: number; host: string; token: string | undefined }): Promise<ProbeListener> {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://probe").pathname;
    const answer: Promise<Answer> =
      req.method !== "GET" && req.method !== "HEAD"
        ? Promise.resolve({ status: 405, contentType: TEXT, body: "Method Not Allowed" })
        : pathname === "/metrics"
          ? metricsAnswer(probes, { token: options.token, open: true, authorization: req.headers.authorization })
          : pathname === "/healthz"
            ? Promise.resolve(healthAnswer())
            : pathname === "/readyz"
              ? readinessAnswer(probes)
              : Promise.resolve({ status: 404, contentType: TEXT, body: "Not Found" });
    answer
      .catch((): Answer => ({ status: 500, contentType: TEXT, body: "Internal Server Error" }))
      .then((a) => {
        res.writeHead(a.status, { "Content-Type": a.contentType, ...a.headers });
        res.end(req.method === "HEAD" ? undefined : a.body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

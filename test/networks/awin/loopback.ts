// Serves app/networks/awin/simulator.ts on 127.0.0.1 (a port from the OS) for the Awin tests, with the failure
// modes of devkit/simulators/network-simulators.ts, on a clock of the test's own (test/pipeline/pacing.test.ts).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { AwinSimulator, type AwinSimulatorOptions } from "../../../app/networks/awin/simulator.ts";
import type { IncomingRequest as AwinIncomingRequest, SimulatedAnswer as AwinSimulatedAnswer } from "../../../devkit/simulators/types.ts";

export type AwinFailureMode = "5xx" | "429" | "timeout" | "401" | "malformed";

export interface AwinReceived extends AwinIncomingRequest {
  status: number;
  accepted: boolean;
  kind: string;
  injected?: AwinFailureMode;
  problems: string[];
}

export interface AwinLoopback {
  /** AWIN_API_URL for the relay's process. */
  env: { AWIN_API_URL: string };
  credentials: { advertiserId: string; apiKey: string };
  simulator: AwinSimulator;
  received(): AwinReceived[];
  accepted(): AwinReceived[];
  failNext(mode: AwinFailureMode, count?: number): void;
  reset(): void;
  close(): Promise<void>;
}

function injected(mode: AwinFailureMode, retryAfterSeconds: number): AwinSimulatedAnswer {
  const kind = `injected:${mode}`;
  switch (mode) {
    case "5xx":
      return { status: 503, headers: { "content-type": "text/plain" }, body: "Service Unavailable", accepted: false, kind };
    case "429":
      return { status: 429, headers: { "content-type": "text/plain", "retry-after": String(retryAfterSeconds) }, body: "Too Many Requests", accepted: false, kind };
    case "401":
      return { status: 401, headers: { "content-type": "application/json" }, body: '{"error":"Unauthorized"}', accepted: false, kind };
    case "malformed":
      return { status: 200, headers: { "content-type": "text/html" }, body: "<html><body>Bad gateway</body></html>", accepted: false, kind };
    case "timeout":
      return { status: 504, headers: { "content-type": "text/plain" }, body: "Gateway Timeout", accepted: false, kind };
  }
}

export async function startAwinLoopback(
  options: Partial<AwinSimulatorOptions> & { timeoutHoldMs?: number; retryAfterSeconds?: number } = {},
): Promise<AwinLoopback> {
  const credentials = { advertiserId: options.advertiserId ?? "1001", apiKey: options.apiKey ?? "awin-simulated-token" };
  const simulator = new AwinSimulator({ ...credentials, ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}), ...(options.now ? { now: options.now } : {}) });
  const log: AwinReceived[] = [];
  const queued: AwinFailureMode[] = [];
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      const incoming: AwinIncomingRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        rawBody: Buffer.concat(chunks).toString("utf8"),
      };
      const mode = queued.shift();
      const answer = mode ? injected(mode, options.retryAfterSeconds ?? 1) : simulator.handle(incoming);
      log.push({ ...incoming, status: answer.status, accepted: answer.accepted, kind: answer.kind, problems: answer.problems ?? [], ...(mode ? { injected: mode } : {}) });
      const send = () => {
        res.writeHead(answer.status, { ...answer.headers, connection: "close" });
        res.end(answer.body);
      };
      if (mode !== "timeout") return send();
      held.add(res);
      const timer = setTimeout(() => {
        held.delete(res);
        send();
      }, options.timeoutHoldMs ?? 3_000);
      res.on("close", () => {
        clearTimeout(timer);
        held.delete(res);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    env: { AWIN_API_URL: `http://127.0.0.1:${port}` },
    credentials,
    simulator,
    received: () => [...log],
    accepted: () => log.filter((entry) => entry.accepted),
    failNext(mode, count = 1) {
      for (let i = 0; i < count; i++) queued.push(mode);
    },
    reset() {
      log.length = 0;
      queued.length = 0;
      simulator.reset();
    },
    async close() {
      for (const res of held) res.socket?.destroy();
      held.clear();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

// Loopback stand-ins for Refersion, Retrack and FlexOffers, one HTTP server each on 127.0.0.1 (ports from the OS).
// They enforce each network's contract, record every request, and can be told to fail: the worker tests, the
// chaos test (workers in other processes reach them over HTTP), the benchmark and `npm run demo` all use them.
//
// Failure modes (the injected request is never recorded as accepted):
//   "5xx"       503 Service Unavailable
//   "429"       429 with Retry-After (retryAfterSeconds, default 1)
//   "timeout"   the answer is held for timeoutHoldMs (default 30 s, or until close()), longer than a client waits
//   "401"       the network's answer to bad keys
//   "no-click"  FlexOffers only: HTTP 200 "No click ID found"
//   "malformed" an answer the client cannot use: Refersion cuts the connection mid-answer, Retrack answers 200
//               without JSON (no uuid), FlexOffers answers 200 with an "Object moved" HTML page
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FlexoffersSimulator } from "../../app/networks/flexoffers/simulator.ts";
import { RefersionSimulator, type RefersionKeys } from "../../app/networks/refersion/simulator.ts";
import { RetrackSimulator } from "../../app/networks/retrack/simulator.ts";
import type { FailureMode, IncomingRequest, ReceivedRequest, SimulatedAnswer, SimulatedNetwork } from "./types.ts";
import { seededRandom } from "../seeded-random.ts";

export type { FailureMode, ReceivedRequest, SimulatedNetwork } from "./types.ts";

export const simulatedNetworks: readonly SimulatedNetwork[] = ["refersion", "retrack", "flexoffers"];

export interface SimulatorOptions {
  refersion?: RefersionKeys;
  retrack?: { apiToken: string };
  flexoffers?: { advertiserId: string };
  /** Added to every answer. */
  latencyMs?: number;
  timeoutHoldMs?: number;
  retryAfterSeconds?: number;
  /** Seed for setFailureRate's random choices, so a chaos run can be repeated. */
  seed?: number;
}

export const defaultSimulatorCredentials = {
  refersion: { publicKey: "pub_simulated", secretKey: "sec_simulated" },
  retrack: { apiToken: "retrack-simulated-token" },
  flexoffers: { advertiserId: "00000000-aaaa-bbbb-cccc-000000000001" },
} as const;

export interface NetworkSimulators {
  /** REFERSION_WEBHOOK_URL, REFERSION_API_URL, RETRACK_API_URL, FLEXOFFERS_POSTBACK_URL for the relay's process. */
  env: Record<string, string>;
  credentials: { refersion: RefersionKeys; retrack: { apiToken: string }; flexoffers: { advertiserId: string } };
  received(network: SimulatedNetwork): ReceivedRequest[];
  /** Requests the network recorded (2xx success): count these for exactly-once checks. */
  accepted(network: SimulatedNetwork): ReceivedRequest[];
  failNext(network: SimulatedNetwork, mode: FailureMode, count?: number): void;
  /** Fails this share (0..1) of requests at random with one of `modes`; modes a network does not have are skipped. */
  setFailureRate(rate: number, modes: FailureMode[], networks?: readonly SimulatedNetwork[]): void;
  /** Forgets requests, queued failures, the failure rate and every network's state. */
  reset(): void;
  close(): Promise<void>;
  refersion: RefersionSimulator;
  retrack: RetrackSimulator;
  flexoffers: FlexoffersSimulator;
}

function applicable(network: SimulatedNetwork, mode: FailureMode): boolean {
  return mode !== "no-click" || network === "flexoffers";
}


export async function startNetworkSimulators(options: SimulatorOptions = {}): Promise<NetworkSimulators> {
  const credentials = {
    refersion: options.refersion ?? { ...defaultSimulatorCredentials.refersion },
    retrack: options.retrack ?? { ...defaultSimulatorCredentials.retrack },
    flexoffers: options.flexoffers ?? { ...defaultSimulatorCredentials.flexoffers },
  };
  const sims = {
    refersion: new RefersionSimulator(credentials.refersion),
    retrack: new RetrackSimulator(credentials.retrack.apiToken),
    flexoffers: new FlexoffersSimulator(credentials.flexoffers.advertiserId),
  };
  const log: ReceivedRequest[] = [];
  const queued: Record<SimulatedNetwork, FailureMode[]> = { refersion: [], retrack: [], flexoffers: [] };
  let failure: { rate: number; modes: FailureMode[]; networks: readonly SimulatedNetwork[] } | null = null;
  const random = seededRandom(options.seed ?? 20261120);
  const held = new Set<http.ServerResponse>();
  const timeoutHoldMs = options.timeoutHoldMs ?? 30_000;

  function pickFailure(network: SimulatedNetwork): FailureMode | undefined {
    const next = queued[network].shift();
    if (next) return next;
    if (!failure || !failure.networks.includes(network)) return undefined;
    const modes = failure.modes.filter((mode) => applicable(network, mode));
    if (!modes.length || random() >= failure.rate) return undefined;
    return modes[Math.floor(random() * modes.length)];
  }

  function injected(network: SimulatedNetwork, mode: FailureMode): SimulatedAnswer {
    const kind = "injected";
    switch (mode) {
      case "5xx":
        return { status: 503, headers: { "content-type": "text/plain" }, body: "Service Unavailable", accepted: false, kind };
      case "429":
        return {
          status: 429,
          headers: { "content-type": "text/plain", "retry-after": String(options.retryAfterSeconds ?? 1) },
          body: "Too Many Requests",
          accepted: false,
          kind,
        };
      case "401":
        return network === "retrack"
          ? { status: 401, headers: { "content-type": "application/json" }, body: '{"message":"Unauthenticated."}', accepted: false, kind }
          : network === "refersion"
            ? { status: 401, headers: { "content-type": "application/json" }, body: '{"error":"Invalid API keys"}', accepted: false, kind }
            : { status: 401, headers: { "content-type": "text/plain" }, body: "Unauthorized", accepted: false, kind };
      case "no-click":
        return { status: 200, headers: { "content-type": "text/plain" }, body: "No click ID found", accepted: false, kind };
      case "malformed":
        return network === "flexoffers"
          ? { status: 200, headers: { "content-type": "text/html" }, body: "<html><head><title>Object moved</title></head><body><h2>Object moved to <a href=\"/errors/500.html\">here</a>.</h2></body></html>", accepted: false, kind }
          : { status: 200, headers: { "content-type": "text/html" }, body: "<html><body>Bad gateway</body></html>", accepted: false, kind };
      case "timeout":
        return { status: 504, headers: { "content-type": "text/plain" }, body: "Gateway Timeout", accepted: false, kind };
    }
  }

  function serve(network: SimulatedNetwork): http.Server {
    return http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        const incoming: IncomingRequest = {
          method: req.method ?? "GET",
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers,
          rawBody: Buffer.concat(chunks).toString("utf8"),
        };
        const mode = pickFailure(network);
        const answer = mode ? injected(network, mode) : sims[network].handle(incoming);
        let body: unknown = answer.parsed;
        if (body === undefined) {
          try {
            body = incoming.rawBody ? JSON.parse(incoming.rawBody) : network === "flexoffers" ? incoming.query : null;
          } catch {
            body = incoming.rawBody;
          }
        }
        log.push({
          ...incoming,
          network,
          kind: mode ? `injected:${mode}` : answer.kind,
          body,
          status: answer.status,
          accepted: answer.accepted,
          ...(mode ? { injected: mode } : {}),
          problems: answer.problems ?? [],
          receivedAt: Date.now(),
        });
        const send = () => {
          if (mode === "malformed" && network === "refersion") {
            // Headers promise more than is sent, then the connection drops: a broken answer.
            res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
            res.write('{"status":"succ');
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.status, { ...answer.headers, connection: "close" });
          res.end(answer.body);
        };
        if (mode === "timeout") {
          held.add(res);
          const timer = setTimeout(() => {
            held.delete(res);
            send();
          }, timeoutHoldMs);
          res.on("close", () => {
            clearTimeout(timer);
            held.delete(res);
          });
          return;
        }
        if (options.latencyMs) setTimeout(send, options.latencyMs);
        else send();
      });
    });
  }

  const servers = {} as Record<SimulatedNetwork, http.Server>;
  const ports = {} as Record<SimulatedNetwork, number>;
  for (const network of simulatedNetworks) {
    const server = serve(network);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    servers[network] = server;
    ports[network] = (server.address() as AddressInfo).port;
  }
  const base = (network: SimulatedNetwork) => `http://127.0.0.1:${ports[network]}`;

  return {
    env: {
      REFERSION_WEBHOOK_URL: `${base("refersion")}/tracker/orders/paid`,
      REFERSION_API_URL: `${base("refersion")}/v2`,
      RETRACK_API_URL: `${base("retrack")}/api/v2`,
      FLEXOFFERS_POSTBACK_URL: `${base("flexoffers")}/da.ashx`,
    },
    credentials,
    received: (network) => log.filter((entry) => entry.network === network),
    accepted: (network) => log.filter((entry) => entry.network === network && entry.accepted),
    failNext(network, mode, count = 1) {
      for (let i = 0; i < count; i++) queued[network].push(mode);
    },
    setFailureRate(rate, modes, networks = simulatedNetworks) {
      failure = rate > 0 ? { rate, modes, networks } : null;
    },
    reset() {
      log.length = 0;
      for (const network of simulatedNetworks) {
        queued[network].length = 0;
        sims[network].reset();
      }
      failure = null;
    },
    async close() {
      for (const res of held) res.socket?.destroy();
      held.clear();
      await Promise.all(
        simulatedNetworks.map(
          (network) =>
            new Promise<void>((resolve) => {
              servers[network].closeAllConnections();
              servers[network].close(() => resolve());
            }),
        ),
      );
    },
    ...sims,
  };
}

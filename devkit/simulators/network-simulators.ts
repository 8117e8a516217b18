// Loopback stand-ins for every registered network (app/networks/registry.ts), one HTTP server each on 127.0.0.1
// (ports from the OS), each playing app/networks/<id>/simulator.ts (load.ts). They enforce each network's
// contract, record every request, and can be told to fail: the worker tests, the chaos test (workers in other
// processes reach them over HTTP), the benchmarks and `npm run demo` all use them.
//
// Failure modes (the injected request is never recorded as accepted); a network may answer them in its own words
// and add modes of its own (SimulatorDefinition.failures):
//   "5xx"       503 Service Unavailable
//   "429"       429 with Retry-After (retryAfterSeconds, default 1)
//   "timeout"   the answer is held for timeoutHoldMs (default 30 s, or until close()), longer than a client waits
//   "401"       the network's answer to bad keys
//   "malformed" an answer the client cannot use (by default a 200 HTML error page)
import http from "node:http";
import type { AddressInfo } from "node:net";
import { secretFieldKeys } from "../../app/networks/fields.ts";
import { networks as registered, type SettingsByNetwork } from "../../app/networks/registry.ts";
import type { NetworkEndpoint } from "../../app/networks/types.ts";
import { seededRandom } from "../seeded-random.ts";
import { loadSimulators, type LoadedSimulator } from "./load.ts";
import { simulatedSettings } from "./settings.ts";
import type { FailureMode, IncomingRequest, InjectedAnswer, NetworkSimulator, ReceivedRequest, SharedFailureMode, SimulatedNetwork } from "./types.ts";

export type { FailureMode, ReceivedRequest, SimulatedNetwork } from "./types.ts";

type SettingsBlock = { enabled: boolean } & Record<string, unknown>;

/** Every registered network, in registry order: what the demo, the benchmarks and the tests simulate. */
export const simulatedNetworks: readonly SimulatedNetwork[] = registered.map((network) => network.id as SimulatedNetwork);

export interface SimulatorOptions {
  /** The networks to simulate (default: every registered one). */
  networks?: readonly SimulatedNetwork[];
  /** Changes to a network's simulated settings (settings.ts): what its simulator accepts and the relay is given. */
  settings?: Partial<Record<SimulatedNetwork, Partial<SettingsBlock>>>;
  /** Added to every answer. */
  latencyMs?: number;
  timeoutHoldMs?: number;
  retryAfterSeconds?: number;
  /** Seed for setFailureRate's random choices, so a chaos run can be repeated. */
  seed?: number;
  /** The clock the simulators' own time rules read (a rate limit's window). */
  now?: () => number;
  /** false: no simulator enforces its network's rate limit (SimulatorCreateOptions.rateLimits says when). */
  rateLimits?: boolean;
  /** By network, the rate limit its simulator enforces in place of the documented one (SimulatorCreateOptions.rateLimit). */
  rateLimitOf?: Partial<Record<SimulatedNetwork, { requests: number; perMs: number }>>;
  /**
   * true: connections stay open between answers, as a real network's do (the drain bench measures keep-alive).
   * Off by default: every answer closes its connection, so a test never depends on a client's connection pool.
   */
  keepAlive?: boolean;
}

export interface NetworkSimulators {
  /** The simulated networks, in registry order. */
  networks: readonly SimulatedNetwork[];
  /** Each simulated network's endpoint variables (its `endpoints`), pointed at its simulator: for the relay's process. */
  env: Record<string, string>;
  /** Each registered network's settings block that its simulator accepts (credentials and every other field). */
  credentials: SettingsByNetwork;
  /** Every secret those settings hold for the simulated networks: what must never appear in a log or an answer. */
  secrets(): string[];
  /** A settings file switching every simulated network on with those settings. */
  settingsFile(overrides?: Partial<Record<SimulatedNetwork, Partial<SettingsBlock>>>): { currency: string; sendTestOrders: boolean; networks: Record<string, SettingsBlock> };
  /** The stand-in playing `network`, as the class its simulator.ts defines (checked, so a wrong guess throws). */
  simulator<T extends NetworkSimulator>(network: SimulatedNetwork, type: abstract new (...args: never[]) => T): T;
  received(network: SimulatedNetwork): ReceivedRequest[];
  /** Requests the network recorded (2xx success): count these for exactly-once checks. */
  accepted(network: SimulatedNetwork): ReceivedRequest[];
  /** One line on what a received request reported (the network's own summary). */
  summarize(request: ReceivedRequest): string;
  /** The order references a received request reported (the network's own reading of it). */
  orderReferences(request: ReceivedRequest): string[];
  failNext(network: SimulatedNetwork, mode: FailureMode, count?: number): void;
  /** Fails this share (0..1) of requests at random with one of `modes`; modes a network does not have are skipped. */
  setFailureRate(rate: number, modes: FailureMode[], networks?: readonly SimulatedNetwork[]): void;
  /** Forgets requests, queued failures, the failure rate and every network's state. */
  reset(): void;
  close(): Promise<void>;
}

const SHARED_MODES: readonly SharedFailureMode[] = ["5xx", "429", "timeout", "401", "malformed"];

function sharedAnswer(mode: SharedFailureMode, retryAfterSeconds: number): InjectedAnswer {
  switch (mode) {
    case "5xx":
      return { status: 503, headers: { "content-type": "text/plain" }, body: "Service Unavailable" };
    case "429":
      return { status: 429, headers: { "content-type": "text/plain", "retry-after": String(retryAfterSeconds) }, body: "Too Many Requests" };
    case "401":
      return { status: 401, headers: { "content-type": "application/json" }, body: '{"error":"Unauthorized"}' };
    case "malformed":
      return { status: 200, headers: { "content-type": "text/html" }, body: "<html><body>Bad gateway</body></html>" };
    case "timeout":
      return { status: 504, headers: { "content-type": "text/plain" }, body: "Gateway Timeout" };
  }
}

/** An endpoint's URL on a simulator's origin: the production URL's path, which the simulator serves. */
export function simulatedEndpointUrl(endpoint: NetworkEndpoint, origin: string): string {
  const { pathname } = new URL(endpoint.default);
  return `${origin}${pathname === "/" ? "" : pathname}`;
}

function headersOf(req: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  return headers;
}

function parsedBody(incoming: IncomingRequest): unknown {
  if (!incoming.rawBody) return Object.keys(incoming.query).length ? incoming.query : null;
  try {
    return JSON.parse(incoming.rawBody);
  } catch {
    return incoming.rawBody;
  }
}

export async function startNetworkSimulators(options: SimulatorOptions = {}): Promise<NetworkSimulators> {
  const loaded = await loadSimulators(options.networks ?? simulatedNetworks);
  const ids = loaded.map(({ network }) => network.id as SimulatedNetwork);
  const credentials = Object.fromEntries(
    registered.map((network) => [network.id, network.settingsSchema.parse({ ...simulatedSettings(network), ...options.settings?.[network.id as SimulatedNetwork] })]),
  ) as SettingsByNetwork;
  const now = options.now ?? Date.now;
  const byId = new Map<SimulatedNetwork, LoadedSimulator & { simulator: NetworkSimulator }>(
    loaded.map((entry) => [
      entry.network.id as SimulatedNetwork,
      {
        ...entry,
        simulator: entry.definition.create((credentials as Record<string, SettingsBlock>)[entry.network.id]!, {
          now,
          rateLimits: options.rateLimits ?? true,
          rateLimit: options.rateLimitOf?.[entry.network.id as SimulatedNetwork],
        }),
      },
    ]),
  );
  const of = (network: SimulatedNetwork) => {
    const entry = byId.get(network);
    if (!entry) throw new Error(`${network} is not simulated here (simulating ${ids.join(", ")})`);
    return entry;
  };
  const log: ReceivedRequest[] = [];
  const queued = new Map<SimulatedNetwork, FailureMode[]>(ids.map((id) => [id, []]));
  let failure: { rate: number; modes: FailureMode[]; networks: readonly SimulatedNetwork[] } | null = null;
  const random = seededRandom(options.seed ?? 20261120);
  const held = new Set<http.ServerResponse>();
  const timeoutHoldMs = options.timeoutHoldMs ?? 30_000;
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;

  const hasMode = (network: SimulatedNetwork, mode: FailureMode) => Boolean(of(network).definition.failures?.[mode]) || (SHARED_MODES as readonly string[]).includes(mode);

  function injected(network: SimulatedNetwork, mode: FailureMode): InjectedAnswer {
    const own = of(network).definition.failures?.[mode];
    // Retry-After is the run's own (retryAfterSeconds), whoever words the 429.
    if (mode === "429") return { ...(own ?? sharedAnswer("429", retryAfterSeconds)), headers: { ...own?.headers, "retry-after": String(retryAfterSeconds) } };
    return own ?? sharedAnswer(mode as SharedFailureMode, retryAfterSeconds);
  }

  function pickFailure(network: SimulatedNetwork): FailureMode | undefined {
    const next = queued.get(network)!.shift();
    if (next) return next;
    if (!failure || !failure.networks.includes(network)) return undefined;
    const modes = failure.modes.filter((mode) => hasMode(network, mode));
    if (!modes.length || random() >= failure.rate) return undefined;
    return modes[Math.floor(random() * modes.length)];
  }

  function serve(network: SimulatedNetwork): http.Server {
    const { simulator } = of(network);
    return http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const incoming: IncomingRequest = {
          method: req.method ?? "GET",
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: headersOf(req),
          rawBody: Buffer.concat(chunks).toString("utf8"),
        };
        const mode = pickFailure(network);
        const answer = mode ? { ...injected(network, mode), accepted: false, kind: `injected:${mode}` } : simulator.handle(incoming);
        const parsed = "parsed" in answer ? answer.parsed : undefined;
        log.push({
          ...incoming,
          network,
          kind: answer.kind,
          body: parsed === undefined ? parsedBody(incoming) : parsed,
          status: answer.status,
          accepted: answer.accepted,
          ...(mode ? { injected: mode } : {}),
          problems: ("problems" in answer ? answer.problems : undefined) ?? [],
          receivedAt: Date.now(),
        });
        const send = () => {
          if ("cut" in answer && answer.cut) {
            // Headers promise more than is sent, then the connection drops: a broken answer.
            res.writeHead(answer.status, { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body) + 64) });
            res.write(answer.body);
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.status, options.keepAlive ? answer.headers : { ...answer.headers, connection: "close" });
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

  const servers = new Map<SimulatedNetwork, http.Server>();
  const env: Record<string, string> = {};
  for (const { network } of loaded) {
    const id = network.id as SimulatedNetwork;
    const server = serve(id);
    // Longer than a client keeps an idle connection (Node's fetch: 4 s), as a network's load balancer's is: a
    // server that closes first races the client's next request on that connection ("other side closed").
    if (options.keepAlive) server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    servers.set(id, server);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const endpoint of network.endpoints) env[endpoint.env] = simulatedEndpointUrl(endpoint, origin);
  }

  return {
    networks: ids,
    env,
    credentials,
    secrets: () =>
      loaded.flatMap(({ network }) => secretFieldKeys(network).map((key) => String((credentials as Record<string, SettingsBlock>)[network.id]![key]))),
    settingsFile(overrides = {}) {
      return {
        currency: "shop",
        sendTestOrders: false,
        networks: Object.fromEntries(ids.map((id) => [id, { ...(credentials as Record<string, SettingsBlock>)[id]!, enabled: true, ...overrides[id] }])),
      };
    },
    simulator(network, type) {
      const { simulator } = of(network);
      if (!(simulator instanceof type)) throw new Error(`${network}'s simulator is a ${simulator.constructor.name}, not a ${type.name}`);
      return simulator;
    },
    received: (network) => log.filter((entry) => entry.network === network),
    accepted: (network) => log.filter((entry) => entry.network === network && entry.accepted),
    summarize: (request) => of(request.network).definition.summarize(request),
    orderReferences: (request) => of(request.network).definition.orderReferences(request),
    failNext(network, mode, count = 1) {
      if (!hasMode(network, mode)) throw new Error(`${network}'s simulator has no failure mode "${mode}"`);
      for (let i = 0; i < count; i++) queued.get(network)!.push(mode);
    },
    setFailureRate(rate, modes, networks = ids) {
      failure = rate > 0 ? { rate, modes, networks } : null;
    },
    reset() {
      log.length = 0;
      for (const id of ids) {
        queued.get(id)!.length = 0;
        of(id).simulator.reset();
      }
      failure = null;
    },
    async close() {
      for (const res of held) res.socket?.destroy();
      held.clear();
      await Promise.all(
        [...servers.values()].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

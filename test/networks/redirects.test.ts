// Every network's client against a loopback "network" that answers 302, 307 or 308 pointing at a second loopback
// server on another host (127.0.0.2), which records whatever reaches it. A redirect is never followed: nothing
// arrives there, no secret travels, and the answer is a failure of its own class that names the Location.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { flexoffers } from "../../app/networks/flexoffers/index.ts";
import { refersion } from "../../app/networks/refersion/index.ts";
import { retrack } from "../../app/networks/retrack/index.ts";
import type { NetworkRequest } from "../../app/networks/types.ts";
import { flexoffersDocumentedOrder, refersionDocumentedOrder, RETRACK_DOCUMENTED_EVENT, retrackFullExampleOrder } from "../fixtures/documented-orders.ts";
import { ctx, deliver, priced, sent } from "./helpers.ts";

interface Arrival {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

async function listen(server: http.Server, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

async function close(server: http.Server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

const SECRETS = { refersion: "sec_redirect_test_secret", retrack: "retrack-redirect-test-token" };

let otherHost: http.Server;
let otherBase: string;
const arrived: Arrival[] = [];
let network: http.Server;
let networkBase: string;
let answer: { status: number; location: string } = { status: 302, location: "" };
const received: Arrival[] = [];

beforeAll(async () => {
  otherHost = http.createServer((req, res) => {
    arrived.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    // What a success looks like to every client: a 2xx, a Retrack uuid, no FlexOffers error text.
    res.end(JSON.stringify({ data: { uuid: "7d3c6a1e-0000-4000-8000-000000000001" }, status: "ok" }));
  });
  otherBase = await listen(otherHost, "127.0.0.2");
  network = http.createServer((req, res) => {
    received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    res.writeHead(answer.status, { location: answer.location, "content-type": "text/plain" });
    res.end("Moved");
  });
  networkBase = await listen(network, "127.0.0.1");
});
afterEach(() => {
  arrived.length = 0;
  received.length = 0;
  vi.unstubAllEnvs();
});
afterAll(async () => {
  await close(network);
  await close(otherHost);
});

function pointNetworksAtRedirector() {
  vi.stubEnv("REFERSION_WEBHOOK_URL", `${networkBase}/tracker/orders/paid`);
  vi.stubEnv("REFERSION_API_URL", `${networkBase}/v2`);
  vi.stubEnv("RETRACK_API_URL", `${networkBase}/api/v2`);
  vi.stubEnv("FLEXOFFERS_POSTBACK_URL", `${networkBase}/da.ashx`);
}

const cases: Array<{ name: string; network: typeof refersion | typeof retrack | typeof flexoffers; request: () => NetworkRequest }> = [
  {
    name: "Refersion conversion",
    network: refersion,
    request: () => sent(refersion.mapConversion(priced(refersionDocumentedOrder()), { enabled: true, publicKey: "pub_redirect", secretKey: SECRETS.refersion }, ctx)),
  },
  {
    name: "Refersion cancellation",
    network: refersion,
    request: () => sent(refersion.mapCancellation(priced(refersionDocumentedOrder()), { enabled: true, publicKey: "pub_redirect", secretKey: SECRETS.refersion }, ctx)),
  },
  {
    name: "Retrack create",
    network: retrack,
    request: () => sent(retrack.mapConversion(priced(retrackFullExampleOrder()), { enabled: true, apiToken: SECRETS.retrack, eventId: RETRACK_DOCUMENTED_EVENT }, ctx)),
  },
  {
    name: "Retrack rejection",
    network: retrack,
    request: () =>
      sent(
        retrack.mapCancellation(priced(retrackFullExampleOrder()), { enabled: true, apiToken: SECRETS.retrack, eventId: RETRACK_DOCUMENTED_EVENT }, {
          sendTestOrders: false,
          externalRef: "7d3c6a1e-0000-4000-8000-000000000001",
        }),
      ),
  },
  {
    name: "FlexOffers postback",
    network: flexoffers,
    request: () =>
      sent(flexoffers.mapConversion(priced(flexoffersDocumentedOrder()), { enabled: true, advertiserId: "adv-redirect", commissionId: "", cookieDays: 30 }, ctx)),
  },
];

describe.each(cases)("$name answered with a redirect to another host", ({ network: definition, request }) => {
  it.each([302, 307, 308])("%i: not followed, nothing reaches the other host, a failure naming the Location", async (status) => {
    pointNetworksAtRedirector();
    const location = `${otherBase}/landed?from=${status}`;
    answer = { status, location };
    const { result, classification } = await deliver(definition, request());
    expect(received).toHaveLength(1);
    expect(arrived).toEqual([]);
    expect(result.ok && result.response.status).toBe(status);
    expect(classification).toMatchObject({ kind: "redirected", location, reason: expect.stringContaining(location) });
    expect(classification.kind).not.toBe("success");
  });
});

describe("a redirect's Location", () => {
  it("is logged without a secret the request carried", async () => {
    pointNetworksAtRedirector();
    answer = { status: 307, location: `${otherBase}/steal?key=${SECRETS.refersion}` };
    const { classification } = await deliver(refersion, cases[0]!.request());
    expect(arrived).toEqual([]);
    expect(classification.kind).toBe("redirected");
    expect(JSON.stringify(classification)).not.toContain(SECRETS.refersion);
    expect(classification).toMatchObject({ location: `${otherBase}/steal?key=[redacted]` });
  });
});

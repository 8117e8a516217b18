// "Test connection" (each network's check.ts) against the loopback simulators, which enforce the networks' auth:
// what each check proves, what it says it cannot, that it reports no order, and that it never follows a redirect.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { checkFlexoffersCredentials } from "../../app/networks/flexoffers/check.ts";
import { checkRefersionCredentials } from "../../app/networks/refersion/check.ts";
import { checkRetrackCredentials } from "../../app/networks/retrack/check.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../devkit/simulators/network-simulators.ts";
import { RetrackSimulator } from "../../app/networks/retrack/simulator.ts";
import { RefersionSimulator } from "../../app/networks/refersion/simulator.ts";

const EVENT = "1f80e399-6f55-4cef-b8b0-0f74752c1ceb";
let sims: NetworkSimulators;

beforeAll(async () => {
  sims = await startNetworkSimulators();
});
afterAll(async () => sims.close());
afterEach(() => {
  vi.unstubAllEnvs();
  sims.reset();
});

const useSimulators = () => {
  for (const [name, value] of Object.entries(sims.env)) vi.stubEnv(name, value);
};

/** A server that answers every request with `status` (and Location to `target` for a 3xx), recording what it got. */
async function answering(status: number, target?: string) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(status, { ...(target ? { location: target } : {}), "content-type": "text/plain", connection: "close" });
    res.end(status >= 500 ? "Service Unavailable" : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("Refersion", () => {
  const keys = () => ({ ...sims.credentials.refersion });

  it("accepted: the REST API listed affiliates with both keys; it says it cannot prove order tracking, and reported nothing", async () => {
    useSimulators();
    const check = await checkRefersionCredentials(keys());
    expect(check.outcome).toBe("accepted");
    expect(check.message).toMatch(/cannot show that Refersion tracks orders/);
    const received = sims.received("refersion");
    expect(received.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["POST /v2/affiliate/list 200"]);
    expect(received[0]!.headers["refersion-secret-key"]).toBe(sims.credentials.refersion.secretKey);
    expect(sims.accepted("refersion")).toEqual([]);
    expect(sims.simulator("refersion", RefersionSimulator).conversions.size).toBe(0);
  });

  it("rejected: a wrong secret key, with where to copy the keys, and no secret in the message", async () => {
    useSimulators();
    const check = await checkRefersionCredentials({ ...keys(), secretKey: "sec_wrong_0000" });
    expect(check).toEqual({ outcome: "rejected", message: expect.stringMatching(/rejected .*\(401\).*Refersion > Account > Settings > Refersion API/) });
    expect(check.message).not.toContain("sec_wrong_0000");
  });

  it("rejected without a request when a key is blank", async () => {
    useSimulators();
    expect(await checkRefersionCredentials({ ...keys(), secretKey: "" })).toEqual({ outcome: "rejected", message: expect.stringMatching(/secret key is empty/) });
    expect(sims.received("refersion")).toEqual([]);
  });

  it("reads REFERSION_API_URL at call time", async () => {
    vi.stubEnv("REFERSION_API_URL", "http://127.0.0.1:9/v2");
    expect((await checkRefersionCredentials(keys())).outcome).toBe("unverified");
    useSimulators();
    expect((await checkRefersionCredentials(keys())).outcome).toBe("accepted");
  });
});

describe("Retrack", () => {
  const settings = () => ({ enabled: true, apiToken: sims.credentials.retrack.apiToken, eventId: EVENT });

  it("accepted: a lookup by an order number no shop has, with the token; it says the event id is not checked, and created nothing", async () => {
    useSimulators();
    const check = await checkRetrackCredentials(settings());
    expect(check.outcome).toBe("accepted");
    expect(check.message).toMatch(/cannot show that the event id belongs to your program/);
    expect(sims.received("retrack").map((r) => `${r.method} ${r.path}?${new URLSearchParams(r.query)} ${r.status}`)).toEqual([
      "GET /api/v2/transactions?byOrderNumber=affiliate-relay-credentials-check 404",
    ]);
    expect(sims.simulator("retrack", RetrackSimulator).transactions.size).toBe(0);
  });

  it("rejected: a wrong token (401), with where to find it, and no token in the message", async () => {
    useSimulators();
    const check = await checkRetrackCredentials({ ...settings(), apiToken: "retrack-wrong-token-0000" });
    expect(check).toEqual({ outcome: "rejected", message: expect.stringMatching(/rejected the API token \(401\).*avatar, then Profile/) });
    expect(check.message).not.toContain("retrack-wrong-token-0000");
  });

  it("reads RETRACK_API_URL at call time", async () => {
    vi.stubEnv("RETRACK_API_URL", "http://127.0.0.1:9/api/v2");
    expect((await checkRetrackCredentials(settings())).outcome).toBe("unverified");
    useSimulators();
    expect((await checkRetrackCredentials(settings())).outcome).toBe("accepted");
  });
});

describe("FlexOffers", () => {
  it("unverified, saying why, and sends nothing: its postback has no credential to check", async () => {
    useSimulators();
    const check = await checkFlexoffersCredentials({ enabled: true, advertiserId: sims.credentials.flexoffers.advertiserId, commissionId: "", cookieDays: 30 });
    expect(check).toEqual({ outcome: "unverified", message: expect.stringMatching(/no way to check an advertiser id without reporting a sale, so nothing was sent/) });
    expect(sims.received("flexoffers")).toEqual([]);
  });

  it("rejected when the advertiser id is blank", async () => {
    expect((await checkFlexoffersCredentials({ enabled: true, advertiserId: "", commissionId: "", cookieDays: 30 })).outcome).toBe("rejected");
  });
});

describe.each([
  ["Refersion", "REFERSION_API_URL", "/v2", () => checkRefersionCredentials({ enabled: true, publicKey: "pub_x", secretKey: "sec_redirect_secret" })],
  ["Retrack", "RETRACK_API_URL", "/api/v2", () => checkRetrackCredentials({ enabled: true, apiToken: "retrack-redirect-secret", eventId: EVENT })],
])("%s check and a network that misbehaves", (_label, env, path, check) => {
  it("never follows a redirect: the keys go nowhere else, and nothing is proven", async () => {
    const elsewhere = await answering(200);
    const redirecting = await answering(307, `${elsewhere.origin}/collect`);
    try {
      vi.stubEnv(env, `${redirecting.origin}${path}`);
      const result = await check();
      expect(result).toEqual({ outcome: "unverified", message: expect.stringMatching(/redirect \(307\), which is never followed/) });
      expect(redirecting.seen).toHaveLength(1);
      expect(elsewhere.seen).toEqual([]);
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });

  it("a server error or no server at all is unverified, never accepted or rejected", async () => {
    const failing = await answering(503);
    try {
      vi.stubEnv(env, `${failing.origin}${path}`);
      expect(await check()).toEqual({ outcome: "unverified", message: expect.stringMatching(/busy or failing \(503\)/) });
    } finally {
      await failing.close();
    }
    vi.stubEnv(env, `http://127.0.0.1:9${path}`);
    expect(await check()).toEqual({ outcome: "unverified", message: expect.stringMatching(/could not reach .*nothing was reported/) });
  });
});

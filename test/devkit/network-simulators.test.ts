// The simulators themselves (devkit/simulators): one for every registered network, each enforcing its network's
// contract, and failure injection is exact and repeatable.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { networks } from "../../app/networks/registry.ts";
import { RefersionSimulator } from "../../app/networks/refersion/simulator.ts";
import { startNetworkSimulators, type NetworkSimulators } from "../../devkit/simulators/network-simulators.ts";
import { RetrackSimulator } from "../../app/networks/retrack/simulator.ts";

let sims: NetworkSimulators;
beforeAll(async () => {
  sims = await startNetworkSimulators({ timeoutHoldMs: 60_000, seed: 7 });
});
afterEach(() => sims.reset());
afterAll(() => sims.close());

const refersionHeaders = () => ({
  "content-type": "application/json",
  "refersion-public-key": sims.credentials.refersion.publicKey,
  "refersion-secret-key": sims.credentials.refersion.secretKey,
});
const goodRefersion = { cart_id: "c1", order_id: "1001", currency_code: "JPY", items: [{ sku: "A", quantity: 1, price: 1500 }] };

async function post(url: string, headers: Record<string, string>, body: unknown) {
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

describe("network simulators", () => {
  it("play every registered network, on loopback only, handing out every endpoint variable the registry declares", () => {
    expect(sims.networks).toEqual(networks.map((network) => network.id));
    expect(Object.keys(sims.env).sort()).toEqual(networks.flatMap((network) => network.endpoints.map((endpoint) => endpoint.env)).sort());
    for (const url of Object.values(sims.env)) expect(new URL(url).hostname).toBe("127.0.0.1");
    // Each endpoint keeps its production path, which its network's simulator serves.
    for (const endpoint of networks.flatMap((network) => network.endpoints)) {
      const { pathname } = new URL(endpoint.default);
      expect(new URL(sims.env[endpoint.env]!).pathname).toBe(pathname);
    }
  });

  it("accept the settings derived from each network's placeholders, secrets replaced by searchable ones", () => {
    for (const network of networks) {
      const settings = (sims.credentials as Record<string, Record<string, unknown>>)[network.id]!;
      expect(settings.enabled).toBe(true);
      expect(network.settingsSchema.safeParse(settings).success).toBe(true);
      for (const field of network.fields) {
        if (field.secret) expect(settings[field.key]).toBe(`simulated-${network.id}-${field.key}`);
        else expect(settings[field.key]).toEqual((network.placeholderSettings as Record<string, unknown>)[field.key] ?? settings[field.key]);
      }
    }
    expect(sims.secrets()).toEqual(networks.flatMap((network) => network.fields.filter((f) => f.secret).map((f) => `simulated-${network.id}-${f.key}`)));
    expect(Object.keys(sims.settingsFile().networks)).toEqual(networks.map((network) => network.id));
  });

  it("refuse a failure mode the network does not have, and a network they do not play", async () => {
    expect(() => sims.failNext("refersion", "no-click")).toThrow(/no failure mode "no-click"/);
    const one = await startNetworkSimulators({ networks: ["retrack"] });
    try {
      expect(one.networks).toEqual(["retrack"]);
      expect(Object.keys(one.env)).toEqual(networks.find((n) => n.id === "retrack")!.endpoints.map((e) => e.env));
      expect(() => one.received("refersion")).not.toThrow();
      expect(() => one.failNext("refersion", "5xx")).toThrow(/not simulated here/);
      expect(() => one.simulator("retrack", RefersionSimulator)).toThrow(/RetrackSimulator, not a RefersionSimulator/);
    } finally {
      await one.close();
    }
  });

  it("Refersion: requires its fields and amounts as numbers with the currency's decimals", async () => {
    expect((await post(sims.env.REFERSION_WEBHOOK_URL!, refersionHeaders(), goodRefersion)).status).toBe(200);
    const bad = [
      { ...goodRefersion, cart_id: undefined },
      { ...goodRefersion, currency_code: "XXX" },
      { ...goodRefersion, items: [{ sku: "A", quantity: 1, price: "1500" }] },
      { ...goodRefersion, items: [{ sku: "A", quantity: 1, price: 15.5 }] },
      { ...goodRefersion, items: [{ sku: "", quantity: 0, price: 1 }] },
      { ...goodRefersion, shipping: -1 },
    ];
    for (const body of bad) expect((await post(sims.env.REFERSION_WEBHOOK_URL!, refersionHeaders(), body)).status).toBe(400);
    expect((await post(sims.env.REFERSION_WEBHOOK_URL!, { "content-type": "application/json" }, goodRefersion)).status).toBe(401);
    expect(sims.accepted("refersion")).toHaveLength(1);
    expect(sims.received("refersion")).toHaveLength(8);
    expect(sims.received("refersion")[3]!.problems[0]).toMatch(/must be a JSON number, not a string/);
  });

  it("Retrack: bearer token, integer minor units and the order sum that adds up", async () => {
    const url = `${sims.env.RETRACK_API_URL}/transactions`;
    const auth = { "content-type": "application/json", authorization: `Bearer ${sims.credentials.retrack.apiToken}` };
    const body = {
      event: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb",
      click: "59d08c54-18e6-4e0d-9c06-d18be3510e43",
      orderNumber: "test1234",
      orderSum: 10100,
      vatSum: 2000,
      currency: "SEK",
      products: [{ reference: "testabc123", quantity: 1, name: "Testprodukt", price: 10100, vat: 2000 }],
    };
    expect((await post(url, { "content-type": "application/json" }, body)).status).toBe(401);
    expect((await post(url, auth, { ...body, orderSum: 101.0 + 0.5 })).status).toBe(422);
    expect((await post(url, auth, { ...body, click: "nope" })).status).toBe(422);
    const created = await post(url, auth, body);
    expect(created.status).toBe(200);
    const uuid = (JSON.parse(created.text) as { data: { uuid: string } }).data.uuid;
    expect((await post(`${url}/${uuid}`, auth, { ...body, orderSum: 5000, products: [{ ...body.products[0], price: 5000 }] })).status).toBe(200);
    expect((await post(`${url}/00000000-0000-4000-8000-000000000000`, auth, { status: "rejected" })).status).toBe(404);
    sims.simulator("retrack", RetrackSimulator).approve(uuid);
    expect((await post(`${url}/${uuid}`, auth, { status: "rejected" })).status).toBe(422);
    expect(sims.simulator("retrack", RetrackSimulator).transactions.get(uuid)).toMatchObject({ status: "approved", body: { orderSum: 5000 } });
  });

  it("FlexOffers: GET with orderamount and ordernumber, 200 bodies that say what went wrong", async () => {
    const adv = sims.credentials.flexoffers.advertiserId;
    const get = async (query: string) => {
      const response = await fetch(`${sims.env.FLEXOFFERS_POSTBACK_URL}?${query}`);
      return `${response.status} ${await response.text()}`;
    };
    expect(await get(`advertiserid=${adv}&clickid=R&orderamount=10.00&ordernumber=1&currency=USD`)).toBe("200 Success");
    expect(await get(`advertiserid=${adv}&orderamount=10.00&ordernumber=1`)).toBe("200 No click ID found");
    expect(await get(`advertiserid=other&clickid=R&orderamount=10.00&ordernumber=1`)).toMatch(/^200 Error: unknown advertiserid/);
    expect(await get(`advertiserid=${adv}&clickid=R&orderamount=10&ordernumber=1&currency=KWD`)).toMatch(/^400 .*3 decimals/);
    expect(await get(`advertiserid=${adv}&clickid=R&orderamount=10.00`)).toMatch(/^400 .*ordernumber is required/);
    expect(sims.accepted("flexoffers")).toHaveLength(1);
  });

  it("fails on request: queued modes first, then a seeded failure rate", async () => {
    sims.failNext("refersion", "5xx", 2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(sims.env.REFERSION_WEBHOOK_URL!, refersionHeaders(), goodRefersion)).status);
    expect(statuses).toEqual([503, 503, 200]);

    sims.setFailureRate(0.5, ["5xx", "no-click"], ["refersion"]);
    const seen = [];
    for (let i = 0; i < 40; i++) seen.push((await post(sims.env.REFERSION_WEBHOOK_URL!, refersionHeaders(), goodRefersion)).status);
    expect(seen.filter((s) => s === 503).length).toBeGreaterThan(5);
    expect(seen.filter((s) => s === 200).length).toBeGreaterThan(5);
    // "no-click" is FlexOffers' failure: Refersion never answers with it.
    expect(sims.received("refersion").some((r) => r.injected === "no-click")).toBe(false);
    expect(sims.accepted("refersion").length).toBe(seen.filter((s) => s === 200).length + 1);
  });

  it("holds a timed-out answer until closed, and closes promptly anyway", async () => {
    const held = await startNetworkSimulators({ timeoutHoldMs: 60_000 });
    held.failNext("flexoffers", "timeout");
    const pending = fetch(`${held.env.FLEXOFFERS_POSTBACK_URL}?x=1`).then(
      () => "answered",
      () => "cut",
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await held.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await pending).toBe("cut");
    expect(held.accepted("flexoffers")).toHaveLength(0);
  });
});

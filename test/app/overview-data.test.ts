// The overview's loader data on both databases: counts per network and status over 7 days, the latest
// failures, an empty state for shops without settings, and nothing secret in it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { networks } from "../../app/networks/registry.ts";
import { loadOverview } from "../../app/routes/app._index/overview.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { SECRET_VALUES, seedOverviewShop, type SeededShop } from "./support/seed-overview.ts";

const SHOP = "overview-data.myshopify.com";
const OTHER = "someone-else.myshopify.com";

describe.each(databaseKinds)("merchant overview data on %s", (kind) => {
  let db: Db;
  let seeded: SeededShop;

  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    seeded = await seedOverviewShop(db, SHOP);
    await seedOverviewShop(db, OTHER);
  });
  afterAll(async () => db?.$disconnect());

  it("counts the last 7 days' deliveries per network and status", async () => {
    const overview = await loadOverview(db, SHOP);
    expect(overview.configured).toBe(true);
    expect(overview.windowDays).toBe(7);
    const byId = Object.fromEntries(overview.networks.map((network) => [network.id, network]));
    expect(byId.refersion).toMatchObject({ configured: true, enabled: true, credentialsStatus: "ok", deliveries: { succeeded: 3, failed: 1 } });
    expect(byId.retrack).toMatchObject({
      enabled: true,
      credentialsStatus: "rejected",
      credentialsError: "Retrack answered 401 Unauthorized: the API token is not valid",
      deliveries: { paused: 1, skipped: 1 },
    });
    expect(byId.flexoffers).toMatchObject({ configured: true, enabled: false, credentialsStatus: "unverified", deliveries: { pending: 1 } });
    // Every network the app ships is listed, set up or not.
    for (const network of networks) expect(byId[network.id]?.label).toBe(network.label);
  });

  it("lists the latest failures first, with the order and the network's answer, from this shop only", async () => {
    const overview = await loadOverview(db, SHOP);
    expect(overview.recentFailures.map((failure) => [failure.orderName, failure.network, failure.status, failure.httpStatus])).toEqual([
      ["#1001", "retrack", "paused", 401],
      ["#1004", "refersion", "failed", 400],
      ["#1006", "flexoffers", "failed", 200],
    ]);
    expect(overview.recentFailures[1]?.error).toBe("Refersion answered 400: cart_id is required");
    expect(overview.recentFailures[2]?.attempts).toBe(5);
  });

  it("holds no secret, no ciphertext and no customer data", async () => {
    const text = JSON.stringify(await loadOverview(db, SHOP));
    for (const value of [...Object.values(SECRET_VALUES), ...seeded.ciphertexts]) expect(text).not.toContain(value);
  });

  it("reports a shop without settings as not configured", async () => {
    const overview = await loadOverview(db, "fresh.myshopify.com");
    expect(overview.configured).toBe(false);
    expect(overview.recentFailures).toEqual([]);
    expect(overview.networks.every((network) => !network.configured && Object.keys(network.deliveries).length === 0)).toBe(true);
  });
});

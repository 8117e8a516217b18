// Claims under a lease: atomic, disjoint between workers, bounded per target, and taken up again after a crash.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { claimDueDeliveries, recoverExpiredLeases, releaseClaims } from "../../app/pipeline/claim.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { seedDeliveries } from "./support/seed.ts";

describe.each(databaseKinds)("claiming deliveries on %s", (kind) => {
  let db: Db;
  let url: string;
  const clients: Db[] = [];
  const shop = "claims.myshopify.com";
  afterAll(async () => {
    await Promise.all(clients.map(async (client) => {
      await closeDriver(client);
      await client.$disconnect();
    }));
  });
  // A fresh database per test: claims look at every shop's deliveries.
  beforeEach(async () => {
    ({ db, url } = await createTestDb(kind));
    clients.push(db);
  });

  const t0 = new Date("2026-11-27T12:00:00Z");

  it("claims only due, pending deliveries, in due order, and marks them in flight under the lease", async () => {
    const due = await seedDeliveries(db, { shop, orders: 3, networks: ["refersion"], dueAt: new Date(t0.getTime() - 1000) });
    const later = await seedDeliveries(db, { shop, orders: 1, networks: ["refersion"], dueAt: new Date(t0.getTime() + 60_000), firstOrderId: 5000 });
    const claimed = (await claimDueDeliveries(db, { owner: "w1", limit: 10, perTarget: 10, leaseMs: 30_000, now: t0 })).map((d) => d.id);
    expect(new Set(claimed)).toEqual(new Set(due));
    expect(claimed).not.toContain(later[0]);
    const rows = await db.delivery.findMany({ where: { id: { in: claimed } } });
    for (const row of rows) {
      expect(row.status).toBe("in_flight");
      expect(row.leaseOwner).toMatch(/^w1:[\w-]{12}$/); // the worker id and this claim's own token
      expect(row.leaseExpiresAt?.getTime()).toBe(t0.getTime() + 30_000);
    }
    expect(await claimDueDeliveries(db, { owner: "w2", limit: 10, perTarget: 10, leaseMs: 30_000, now: t0 })).toEqual([]);
  });

  it("takes at most perTarget deliveries of one (shop, network) per claim", async () => {
    await seedDeliveries(db, { shop, orders: 6, networks: ["refersion", "retrack"], dueAt: new Date(t0.getTime() - 1000) });
    const claimed = (await claimDueDeliveries(db, { owner: "w1", limit: 100, perTarget: 2, leaseMs: 30_000, now: t0 })).map((d) => d.id);
    const rows = await db.delivery.findMany({ where: { id: { in: claimed } } });
    expect(rows.filter((r) => r.network === "refersion")).toHaveLength(2);
    expect(rows.filter((r) => r.network === "retrack")).toHaveLength(2);
  });

  it("takes a crashed worker's deliveries up again once its lease has run out, not before", async () => {
    const ids = await seedDeliveries(db, { shop, orders: 2, networks: ["retrack"], dueAt: new Date(t0.getTime() - 1000) });
    const crashed = (await claimDueDeliveries(db, { owner: "crashed", limit: 10, perTarget: 10, leaseMs: 60_000, now: t0 })).map((d) => d.id);
    expect(new Set(crashed)).toEqual(new Set(ids));
    const before = new Date(t0.getTime() + 59_000);
    expect(await recoverExpiredLeases(db, before)).toBe(0);
    expect(await claimDueDeliveries(db, { owner: "w2", limit: 10, perTarget: 10, leaseMs: 60_000, now: before })).toEqual([]);
    const after = new Date(t0.getTime() + 60_000);
    expect(await recoverExpiredLeases(db, after)).toBe(2);
    const taken = (await claimDueDeliveries(db, { owner: "w2", limit: 10, perTarget: 10, leaseMs: 60_000, now: after })).map((d) => d.id);
    expect(new Set(taken)).toEqual(new Set(ids));
    expect((await db.delivery.findMany({ where: { id: { in: ids } } })).map((r) => r.leaseOwner?.split(":")[0])).toEqual(["w2", "w2"]);
  });

  it("hands unstarted claims back on release, only the releasing worker's own", async () => {
    const ids = await seedDeliveries(db, { shop, orders: 2, networks: ["flexoffers"], dueAt: new Date(t0.getTime() - 1000) });
    const claims = await claimDueDeliveries(db, { owner: "w1", limit: 10, perTarget: 10, leaseMs: 60_000, now: t0 });
    expect(await releaseClaims(db, claims.map((c) => ({ id: c.id, leaseOwner: "someone-else" })), t0)).toBe(0);
    expect(await releaseClaims(db, claims.map((c) => ({ id: c.id, leaseOwner: "w1" })), t0)).toBe(0); // the worker id alone is not the claim
    expect(await releaseClaims(db, claims, t0)).toBe(2);
    const rows = await db.delivery.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.status === "pending" && r.leaseOwner === null)).toBe(true);
  });

  it("never hands one delivery to two workers claiming at the same time", async () => {
    const ids = await seedDeliveries(db, { shop, orders: 150, networks: ["refersion", "retrack"], dueAt: new Date(t0.getTime() - 1000) });
    // Separate clients (separate connection pools) stand for separate worker processes.
    const workers = Array.from({ length: 4 }, (_, i) => ({ owner: `w${i}`, client: i === 0 ? db : createDb(url) }));
    clients.push(...workers.slice(1).map((w) => w.client));
    const seen = new Map<string, string>();
    let duplicates = 0;
    for (let round = 0; round < 200 && seen.size < ids.length; round++) {
      const results = await Promise.all(
        workers.map(async (w) => ({ owner: w.owner, ids: (await claimDueDeliveries(w.client, { owner: w.owner, limit: 7, perTarget: 50, leaseMs: 60_000, now: t0 })).map((d) => d.id) })),
      );
      for (const result of results) {
        for (const id of result.ids) {
          if (seen.has(id)) duplicates++;
          seen.set(id, result.owner);
        }
      }
    }
    expect(duplicates).toBe(0);
    expect(seen.size).toBe(ids.length);
    const rows = await db.delivery.findMany({ where: { id: { in: ids } } });
    for (const row of rows) expect(row.leaseOwner?.split(":")[0]).toBe(seen.get(row.id));
    if (kind === "postgresql") expect(new Set(seen.values()).size).toBeGreaterThan(1);
  });
});

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

  const t0 = new Date(); // controlled clocks start from the real now

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

  it("takes one reversal of an order at a time per network, and none while a sibling is in flight", async () => {
    const due = new Date(t0.getTime() - 1000);
    const order = await db.order.create({ data: { shop, shopifyOrderId: "7001", name: "#7001", payload: "{}" } });
    const row = (network: string, kind: string, status = "pending") =>
      db.delivery.create({ data: { shop, orderId: order.id, network, kind, status, nextAttemptAt: due } });
    await row("retrack", "conversion", "succeeded");
    const refunds = [(await row("retrack", "refund:1")).id, (await row("retrack", "refund:2")).id];
    const cancellation = (await row("retrack", "cancellation")).id;
    const other = (await row("refersion", "refund:1")).id; // another network of the same order: independent
    // Two refunds due at once, claimed by two workers at the same time (separate clients on PostgreSQL).
    const second = kind === "postgresql" ? createDb(url) : db;
    if (second !== db) clients.push(second);
    const claims = (await Promise.all(["w1", "w2"].map((owner, i) => claimDueDeliveries(i ? second : db, { owner, limit: 10, perTarget: 10, leaseMs: 60_000, now: t0 })))).flat();
    const ids = claims.map((c) => c.id);
    expect(ids.filter((id) => id !== other)).toHaveLength(1);
    expect(ids).toContain(other);
    const first = ids.find((id) => id !== other)!;
    expect([...refunds, cancellation]).toContain(first);
    // While it is in flight, nothing else of that order and network is taken, by anyone.
    expect(await claimDueDeliveries(db, { owner: "w3", limit: 10, perTarget: 10, leaseMs: 60_000, now: t0 })).toEqual([]);
    await db.delivery.update({ where: { id: first }, data: { status: "succeeded", leaseOwner: null, leaseExpiresAt: null } });
    const next = await claimDueDeliveries(db, { owner: "w3", limit: 10, perTarget: 10, leaseMs: 60_000, now: t0 });
    expect(next.map((c) => c.id)).toHaveLength(1);
    expect([...refunds, cancellation]).toContain(next[0]!.id);
    expect(next[0]!.id).not.toBe(first);
  });

  it("takes no reversal while its conversion is in flight", async () => {
    const due = new Date(t0.getTime() - 1000);
    const [conversion] = await seedDeliveries(db, { shop, orders: 1, networks: ["retrack"], dueAt: due });
    const { orderId } = await db.delivery.findUniqueOrThrow({ where: { id: conversion! } });
    expect((await claimDueDeliveries(db, { owner: "w1", limit: 10, perTarget: 10, leaseMs: 60_000, now: t0 })).map((c) => c.id)).toEqual([conversion]);
    await db.delivery.create({ data: { shop, orderId, network: "retrack", kind: "refund:1", nextAttemptAt: due } });
    expect(await claimDueDeliveries(db, { owner: "w2", limit: 10, perTarget: 10, leaseMs: 60_000, now: t0 })).toEqual([]);
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

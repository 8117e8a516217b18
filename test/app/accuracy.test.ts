// /app/accuracy through its real loader, with real session tokens, on both databases: per network what became of
// the orders paid in the window, the accuracy figure, skips by reason, capture health by day; nothing counted
// from another shop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import type { Accuracy } from "../../app/admin/accuracy.ts";
import { loader } from "../../app/routes/app.accuracy.tsx";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { adminRequest, callRoute } from "./support/admin-request.ts";
import { seedAdminShop, type SeededAdminShop } from "./support/seed-admin.ts";
import { seedOfflineSession } from "../../devkit/admin/session-token.ts";

const SHOP = "accuracy-page.myshopify.com";
const OTHER = "accuracy-other.myshopify.com";

describe.each(databaseKinds)("/app/accuracy on %s", (kind) => {
  let db: Db;
  let other: SeededAdminShop;

  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
    await seedAdminShop(db, SHOP, 21);
    other = await seedAdminShop(db, OTHER, 22);
    // An order without a Retrack click, in both shops.
    for (const [shop, name] of [[SHOP, "#21002"], [OTHER, "#22002"]] as const) {
      const order = await db.order.findFirstOrThrow({ where: { shop, name } });
      await db.delivery.create({
        data: { shop, orderId: order.id, network: "retrack", kind: "conversion", status: "skipped", reason: "no Retrack click on this order: no _retrack_click cart attribute and no click=<uuid> in the landing page URL", completedAt: new Date() },
      });
    }
  });
  afterAll(async () => {
    setDb(undefined);
    await db?.$disconnect();
  });

  const load = async (query = "") => {
    const answer = await callRoute(loader, adminRequest(`/app/accuracy${query}`, { shop: SHOP }));
    expect(answer.status).toBe(200);
    return { accuracy: answer.data as Accuracy, text: answer.text };
  };

  it("counts per network what became of the orders paid in the window, and the accuracy figure", async () => {
    const { accuracy, text } = await load();
    expect(accuracy.window).toBe(30);
    const byId = Object.fromEntries(accuracy.networks.map((entry) => [entry.network, entry]));
    expect(byId.refersion).toEqual({
      network: "refersion",
      label: "Refersion",
      paidOrders: 4,
      withClick: 4,
      delivered: 2,
      failed: 1,
      open: 0,
      skipped: [{ reason: "test order", count: 1 }],
      missing: 0,
      accuracy: 0.75,
    });
    expect(byId.retrack).toMatchObject({ withClick: 2, delivered: 0, open: 2, missing: 1, skipped: [{ reason: "no Retrack click on this order", count: 1 }], accuracy: 0.25 });
    expect(byId.flexoffers).toMatchObject({ failed: 1, missing: 3, accuracy: 0 });
    for (const mark of other.marks) expect(text).not.toContain(mark);
    for (const secret of other.secrets) expect(text).not.toContain(secret);
  });

  it("gives capture health by day: non-test orders that arrived with a click", async () => {
    const { accuracy } = await load("?days=7");
    expect(accuracy.window).toBe(7);
    expect(accuracy.days).toHaveLength(7);
    // Retrack skipped an order for want of its click; Refersion reports every order and says nothing about capture.
    expect(accuracy.captureNetworks).toContain("retrack");
    expect(accuracy.captureNetworks).not.toContain("refersion");
    const total = accuracy.capture.reduce((sum, day) => ({ orders: sum.orders + day.orders, withClick: sum.withClick + day.withClick }), { orders: 0, withClick: 0 });
    expect(total).toEqual({ orders: 3, withClick: 2 });
  });

  it("falls back to 30 days for a window it does not offer, and refuses another secret's token", async () => {
    expect((await load("?days=13")).accuracy.window).toBe(30);
    expect((await callRoute(loader, adminRequest("/app/accuracy", { shop: SHOP, secret: "not-the-app-secret" }))).status).toBe(401);
  });

  it("shows a shop without orders zeros and no figure", async () => {
    await seedOfflineSession(db, "accuracy-empty.myshopify.com", "shpat_accuracy_empty");
    const answer = await callRoute(loader, adminRequest("/app/accuracy", { shop: "accuracy-empty.myshopify.com" }));
    expect(answer.status).toBe(200);
    const accuracy = answer.data as Accuracy;
    expect(accuracy.networks.every((entry) => entry.paidOrders === 0 && entry.accuracy === null)).toBe(true);
    expect(accuracy.capture.every((day) => day.orders === 0)).toBe(true);
  });
});

import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";

describe.each(databaseKinds)("database on %s", (kind) => {
  let db: Db;
  afterAll(async () => db?.$disconnect());

  it("migrates and round-trips a shop", async () => {
    ({ db } = await createTestDb(kind));
    await db.shop.create({ data: { domain: "smoke.myshopify.com" } });
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: "smoke.myshopify.com" } });
    expect(shop.currencyMode).toBe("shop");
    expect(shop.consentGating).toBe(true);
  });
});

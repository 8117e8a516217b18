// app/shopify/query-pacing.ts against the stand-in's leaky cost bucket (devkit/shopify-admin/shopify-admin-api.ts), on a
// controlled clock that moves only when the pacing sleeps.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { AdminApiError, adminGraphqlForShop } from "../../app/shopify/admin-graphql.server.ts";
import { CURRENT_APP_INSTALLATION } from "../../app/shopify/documents/index.ts";
import { CostBudgetExhausted, pacedAdminGraphql } from "../../app/shopify/query-pacing.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { startMetafieldsAdminApi, type MetafieldsAdminApi } from "../../devkit/shopify-admin/metafields-admin-api.ts";
import { offlineSessionRow } from "../../devkit/shopify-admin/shopify-admin-api.ts";

const SHOP = "pacing.myshopify.com";
const TOKEN = "shpat_pacing";

describe.each(databaseKinds)("paced Admin GraphQL calls on %s", (kind) => {
  let db: Db;
  let admin: MetafieldsAdminApi;
  let t = Date.now();
  let sleeps: number[] = [];
  const clock = () => t;
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    t += ms;
  };

  beforeAll(async () => {
    db = (await createTestDb(kind)).db;
    setDb(db);
    admin = await startMetafieldsAdminApi(TOKEN, { clock });
    process.env.SHOPIFY_ADMIN_API_ORIGIN = admin.origin;
    await db.session.create({ data: offlineSessionRow(SHOP, TOKEN) });
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    await admin.close();
    setDb(undefined);
    await db.$disconnect();
  });
  beforeEach(() => {
    admin.reset();
    sleeps = [];
  });

  it("waits out a THROTTLED answer for as long as the bucket takes to refill, then sends the query again", async () => {
    admin.api.setBucket({ maximumAvailable: 1000, restoreRate: 50, currentlyAvailable: 0 });
    const paced = pacedAdminGraphql(await adminGraphqlForShop(SHOP), { budget: 1000, sleep, clock });
    const { data } = await paced.graphql<{ currentAppInstallation: { id: string } }>(CURRENT_APP_INSTALLATION);
    expect(data.currentAppInstallation.id).toMatch(/^gid:\/\/shopify\/AppInstallation\//);
    expect(admin.api.graphqlRequests.map((r) => r.outcome)).toEqual(["throttled", "ok"]);
    // One point at 50 points a second.
    expect(sleeps).toEqual([20]);
    expect(paced.spent()).toBe(1);
  });

  it("waits before a query the bucket cannot pay for yet, rather than being refused", async () => {
    admin.api.setBucket({ maximumAvailable: 10, restoreRate: 2, currentlyAvailable: 1 });
    const paced = pacedAdminGraphql(await adminGraphqlForShop(SHOP), { budget: 1000, sleep, clock });
    // The first call learns the cost (1) and leaves the bucket empty; the next waits half a second first.
    await paced.graphql(CURRENT_APP_INSTALLATION);
    await paced.graphql(CURRENT_APP_INSTALLATION);
    expect(admin.api.graphqlRequests.map((r) => r.outcome)).toEqual(["ok", "ok"]);
    expect(sleeps).toEqual([500]);
  });

  it("gives up with the throttled error when the bucket never refills", async () => {
    admin.api.setBucket({ maximumAvailable: 1000, restoreRate: 0, currentlyAvailable: 0 });
    const paced = pacedAdminGraphql(await adminGraphqlForShop(SHOP), { budget: 1000, sleep, clock, maxThrottledRetries: 3 });
    const failure = await paced.graphql(CURRENT_APP_INSTALLATION).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdminApiError);
    expect((failure as AdminApiError).throttled).toBe(true);
    expect(admin.api.graphqlRequests).toHaveLength(4);
  });

  it("stops before a query that would take it past its budget", async () => {
    admin.api.setBucket({ maximumAvailable: 1000, restoreRate: 50 });
    const paced = pacedAdminGraphql(await adminGraphqlForShop(SHOP), { budget: 2, sleep, clock });
    await paced.graphql(CURRENT_APP_INSTALLATION);
    await paced.graphql(CURRENT_APP_INSTALLATION);
    await expect(paced.graphql(CURRENT_APP_INSTALLATION)).rejects.toThrow(CostBudgetExhausted);
    expect(admin.api.graphqlRequests).toHaveLength(2);
    expect(paced.spent()).toBe(2);
  });
});

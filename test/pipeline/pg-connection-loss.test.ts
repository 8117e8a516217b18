// A PostgreSQL connection that goes away (pg_terminate_backend, a restart of the server) is a transient fault:
// the statement in progress fails, the process lives on, and the next statement opens a new connection. Runs on
// its own cluster, since it stops the server.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { closeDriver, driverFor, sql } from "../../app/pipeline/sql/driver.server.ts";
import { createPostgresDatabaseOn } from "../../devkit/databases/migrated-databases.ts";
import { startPostgresCluster, type PostgresCluster } from "../../devkit/databases/postgres-cluster.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every client backend but the caller's: what an operator's pg_terminate_backend sweep does. */
const TERMINATE_ALL = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`;

describe("a lost PostgreSQL connection", () => {
  let cluster: PostgresCluster;
  let db: Db;
  let admin: pg.Client;
  // An "error" event nobody listens to is thrown from inside pg's socket handler: counted here, whatever the
  // test runner then does with it.
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    process.on("uncaughtExceptionMonitor", onUncaught);
    cluster = await startPostgresCluster();
    db = createDb(await createPostgresDatabaseOn(cluster.adminUrl));
  });
  afterAll(async () => {
    await admin?.end().catch(() => {});
    if (db) {
      await closeDriver(db);
      await db.$disconnect();
    }
    cluster?.stop();
    process.off("uncaughtExceptionMonitor", onUncaught);
  });

  it("fails the statements in progress when every backend is terminated, repeatedly, and never ends the process", async () => {
    admin = new pg.Client({ connectionString: cluster.adminUrl });
    admin.on("error", () => {});
    await admin.connect();
    const driver = driverFor(db);
    const counts = { committed: 0, failed: 0, prismaOk: 0, prismaFailed: 0, terminated: 0 };
    const errors = new Set<string>();
    let running = true;
    const terminator = (async () => {
      while (running) {
        await sleep(40);
        counts.terminated += (await admin.query(TERMINATE_ALL)).rowCount ?? 0;
      }
    })();
    const pipelineLoad = async () => {
      for (let i = 0; i < 60; i++) {
        try {
          await driver.transaction(function* () {
            yield sql`SELECT pg_sleep(0.005)`;
            yield sql`INSERT INTO "Shop" ("domain", "updatedAt") VALUES (${`s${Math.random()}.myshopify.com`}, ${new Date()})`;
            yield sql`SELECT pg_sleep(0.005)`;
          });
          counts.committed++;
        } catch (error) {
          counts.failed++;
          errors.add(String((error as Error).message).split("\n").at(-1)!.slice(0, 120));
        }
      }
    };
    const prismaLoad = async () => {
      for (let i = 0; i < 60; i++) {
        try {
          await db.$transaction(async (tx) => {
            await tx.$queryRaw`SELECT 1 AS "slept" FROM (SELECT pg_sleep(0.005)) AS "s"`;
            await tx.shop.count();
          });
          await db.$queryRaw`SELECT 1 AS "slept" FROM (SELECT pg_sleep(0.005)) AS "s"`;
          counts.prismaOk++;
        } catch (error) {
          counts.prismaFailed++;
          errors.add(String((error as Error).message).split("\n").at(-1)!.slice(0, 120));
        }
      }
    };
    await Promise.all([pipelineLoad(), pipelineLoad(), pipelineLoad(), prismaLoad(), prismaLoad()]);
    running = false;
    await terminator;
    console.log(`[pg connection loss] ${JSON.stringify(counts)}; uncaught errors: ${uncaught.length}; errors seen: ${JSON.stringify([...errors])}`);
    // The last sweep's terminations reach idle pooled connections a moment later.
    await sleep(200);

    expect(uncaught).toEqual([]);
    expect(counts.terminated).toBeGreaterThan(20);
    expect(counts.failed).toBeGreaterThan(0);
    expect(counts.committed).toBeGreaterThan(0);
    expect(counts.prismaOk).toBeGreaterThan(0);
    expect(counts.prismaFailed).toBeGreaterThan(0);
    expect(counts.committed + counts.failed).toBe(180);
    expect(counts.prismaOk + counts.prismaFailed).toBe(120);
    // Afterwards both connections work again. (A COMMIT whose answer was cut off may have committed.)
    const stored = await driver.read(function* () {
      return Number((yield sql`SELECT count(*) AS "n" FROM "Shop"`).rows[0]!.n);
    });
    expect(stored).toBeGreaterThanOrEqual(counts.committed);
    expect(stored).toBeLessThanOrEqual(counts.committed + counts.failed);
    expect(await db.shop.count()).toBe(stored);
  });

  it("rides through a stop and start of the server: statements fail while it is down and work once it is back", async () => {
    const driver = driverFor(db);
    const probe = async () => {
      const outcome = { pipeline: "ok", prisma: "ok" };
      await driver.transaction(function* () {
        yield sql`SELECT 1`;
      }).catch(() => (outcome.pipeline = "failed"));
      await db.shop.count().catch(() => (outcome.prisma = "failed"));
      return outcome;
    };
    expect(await probe()).toEqual({ pipeline: "ok", prisma: "ok" });
    // Connections held open in both pools while the server goes away.
    await Promise.all(Array.from({ length: 8 }, () => probe()));
    await cluster.pause();
    expect(await probe()).toEqual({ pipeline: "failed", prisma: "failed" });
    await cluster.resume();
    expect(await probe()).toEqual({ pipeline: "ok", prisma: "ok" });
    expect(uncaught).toEqual([]);
  });
});

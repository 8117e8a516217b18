// /healthz and /readyz through the real production server (`npm start`): ready only on a reachable database
// with every migration of this release applied, as recorded by the app's own migrator (npm run setup).
import { createClient } from "@libsql/client";
import { createServer } from "node:net";
import path from "node:path";
import pg from "pg";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbKind } from "../../app/db/client.server.ts";
import { shippedMigrations } from "../../app/observability/readiness.server.ts";
import { ensureAppBuild } from "../../devkit/admin/app-build.ts";
import { serveApp, type ServedApp } from "../../devkit/admin/serve.ts";
import { databaseKinds } from "../support/databases.ts";
import { emptyDatabaseUrl, migratedDatabaseUrl } from "./support/migrated.ts";

const root = path.resolve(import.meta.dirname, "../..");

async function forgetMigration(kind: DbKind, url: string, name: string): Promise<void> {
  if (kind === "sqlite") {
    const client = createClient({ url });
    await client.execute({ sql: 'DELETE FROM "_prisma_migrations" WHERE "migration_name" = ?', args: [name] });
    client.close();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('DELETE FROM "_affiliate_relay_migrations" WHERE "name" = $1', [name]);
    await client.end();
  }
}

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const get = async (app: ServedApp, pathname: string) => {
  const response = await fetch(`${app.url}${pathname}`);
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
};

describe.each(databaseKinds)("health probes on %s", (kind) => {
  let app: ServedApp | undefined;
  const migrations = () => shippedMigrations(path.join(root, "prisma", ...(kind === "sqlite" ? ["migrations"] : ["postgresql", "migrations"])));

  beforeAll(async () => {
    await ensureAppBuild();
  }, 300_000);

  afterEach(async () => {
    if (app && app.child.exitCode === null) await app.stop("SIGKILL");
    app = undefined;
  });

  it("is ready on a migrated database, and says which migration is missing once one is not recorded", async () => {
    const url = await migratedDatabaseUrl(kind);
    app = await serveApp(url);
    expect(await get(app, "/healthz")).toEqual({ status: 200, type: "text/plain; charset=utf-8", body: "ok" });
    expect(await get(app, "/readyz")).toEqual({ status: 200, type: "text/plain; charset=utf-8", body: "ready" });
    // No METRICS_TOKEN: /metrics is not served on the app's port at all.
    expect(await get(app, "/metrics")).toEqual({ status: 404, type: "text/plain; charset=utf-8", body: "Not Found" });

    const last = migrations().at(-1)!;
    await forgetMigration(kind, url, last);
    expect(await get(app, "/readyz")).toEqual({
      status: 503,
      type: "text/plain; charset=utf-8",
      body: `not ready: 1 migration(s) not applied (first: ${last}): run npm run setup`,
    });
    expect((await get(app, "/healthz")).status).toBe(200);
  });

  it("is not ready on a database that was never migrated", async () => {
    app = await serveApp(await emptyDatabaseUrl(kind));
    expect(await get(app, "/healthz")).toMatchObject({ status: 200, body: "ok" });
    expect(await get(app, "/readyz")).toEqual({
      status: 503,
      type: "text/plain; charset=utf-8",
      body: "not ready: database not migrated (no migrations recorded): run npm run setup",
    });
  });

  it("is not ready when the database cannot be reached", async () => {
    const url = kind === "sqlite" ? "file:/nonexistent-affiliate-relay-dir/none/app.sqlite" : `postgresql://postgres@127.0.0.1:${await closedPort()}/postgres`;
    app = await serveApp(url);
    expect((await get(app, "/healthz")).status).toBe(200);
    const ready = await get(app, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/^not ready: database unreachable: \S/);
    expect(ready.body.split("\n")).toHaveLength(1);
  });
});

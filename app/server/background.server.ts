// What runs beside the web requests in the serving process: the delivery worker, on the same database client
// as the routes, and what /metrics and /readyz read. Bundled into the Remix build and reached through
// app/entry.server.tsx, so that the server process holds one copy of the app's modules (one Prisma client, one
// pipeline driver connection, one metrics registry), not a second copy loaded outside the build.
import { db } from "../db/client.server.ts";
import { renderMetrics, watchOutbox } from "../observability/metrics.server.ts";
import type { Probes } from "../observability/probes.server.ts";
import { checkReadiness } from "../observability/readiness.server.ts";
import { closeDriver } from "../pipeline/sql/driver.server.ts";
import { startWorker } from "../pipeline/worker.server.ts";
import { keyringFromEnv } from "../security/encryption.server.ts";
import { startEventLoopPacing } from "./event-loop-pacing.server.ts";

export interface BackgroundOptions {
  worker: boolean;
  /** The release's prisma/ folder, whose migrations /readyz expects applied. */
  prismaDir: string;
}

export interface Background {
  /** Stops claiming deliveries and lets the ones in flight finish. */
  stopWorker(): Promise<void>;
  /** Closes the database connections; call once no request or delivery can use them. */
  disconnect(): Promise<void>;
  /** /metrics and /readyz, on this process's registry and database client. */
  probes: Probes;
}

/** Throws a clear error when DATABASE_URL or ENCRYPTION_KEY is missing or malformed: a start-up error, not a
 *  failure at the first delivery. */
export function startBackground(options: BackgroundOptions): Background {
  keyringFromEnv();
  const client = db();
  watchOutbox(client);
  // The webhooks come first: the worker's share follows the event loop's delay (event-loop-pacing.server.ts).
  const pacing = options.worker ? startEventLoopPacing() : undefined;
  const worker = options.worker ? startWorker({ db: client, share: pacing!.share }) : undefined;
  return {
    async stopWorker() {
      await worker?.stop();
      pacing?.stop();
    },
    async disconnect() {
      watchOutbox(undefined);
      try {
        await closeDriver(client);
      } finally {
        await client.$disconnect();
      }
    },
    probes: {
      metrics: renderMetrics,
      readiness: () => checkReadiness(client, { prismaDir: options.prismaDir }),
    },
  };
}

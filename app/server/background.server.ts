// What runs beside the web requests in the serving process: the delivery worker, on the same database client
// as the routes. Bundled into the Remix build and reached through app/entry.server.tsx, so that the server
// process holds one copy of the app's modules (one Prisma client, one pipeline driver connection), not a second
// copy loaded outside the build.
import { db } from "../db/client.server.ts";
import { closeDriver } from "../pipeline/sql/driver.server.ts";
import { startWorker } from "../pipeline/worker.server.ts";
import { keyringFromEnv } from "../security/encryption.server.ts";

export interface Background {
  /** Stops claiming deliveries and lets the ones in flight finish. */
  stopWorker(): Promise<void>;
  /** Closes the database connections; call once no request or delivery can use them. */
  disconnect(): Promise<void>;
}

/** Throws a clear error when DATABASE_URL or ENCRYPTION_KEY is missing or malformed: a start-up error, not a
 *  failure at the first delivery. */
export function startBackground(options: { worker: boolean }): Background {
  keyringFromEnv();
  const client = db();
  const worker = options.worker ? startWorker({ db: client }) : undefined;
  return {
    stopWorker: async () => worker?.stop(),
    async disconnect() {
      try {
        await closeDriver(client);
      } finally {
        await client.$disconnect();
      }
    },
  };
}

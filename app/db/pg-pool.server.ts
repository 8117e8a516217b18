// pg pools that survive lost connections (a restart of PostgreSQL, pg_terminate_backend). While a client is
// checked out the pool does not listen to it: its backend going away emits "error" on the client, and an "error"
// event nobody listens to ends the process. The listener has to be there the moment the client is handed over:
// the message that ends a connection can arrive in the same network read as the one that completes it, before
// any promise continuation could attach one (seen under repeated pg_terminate_backend,
// test/pipeline/pg-connection-loss.test.ts). pool.query() attaches its own listener that way; connect() callers
// use checkOut() below.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/** A client from the pool with `onLost` listening for its connection's failure from the moment it is handed over. */
export function checkOut(pool: pg.Pool, onLost: (error: Error) => void): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    pool.connect((error, client) => {
      if (error || !client) return reject(error ?? new Error("the pool handed over no client"));
      client.on("error", onLost);
      resolve(client);
    });
  });
}

/**
 * @prisma/adapter-pg (6.19) ends an interactive transaction by sending COMMIT or ROLLBACK and releases the client
 * only once that statement succeeded: when the backend went away mid-transaction, the statement throws, the client
 * is never released, and after `max` such losses every later transaction waits for a client forever. This pool
 * releases (and so discards) a client checked out with connect() as soon as its connection fails; the adapter's
 * own later release, if any, does nothing.
 */
class SelfReleasingPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    // pool.query() checks clients out through the callback form and handles their errors itself.
    if (callback) return super.connect(callback);
    return new Promise((resolve, reject) => {
      super.connect((error, client) => {
        if (error || !client) return reject(error ?? new Error("the pool handed over no client"));
        const release = client.release;
        let released = false;
        const once = (lost?: Error | boolean) => {
          if (released) return;
          released = true;
          client.off("error", once);
          release(lost);
        };
        client.on("error", once);
        client.release = once;
        resolve(client);
      });
    });
  }
}

/** Prisma's adapter on a SelfReleasingPool, a fresh one for every connect (Prisma connects again after $disconnect). */
export class PrismaPgSurvivingLostConnections extends PrismaPg {
  constructor(private readonly poolConfig: pg.PoolConfig) {
    super(poolConfig);
  }

  override connect(): ReturnType<PrismaPg["connect"]> {
    const pool = new SelfReleasingPool(this.poolConfig);
    // An idle client whose connection drops is removed by the pool, which then emits "error": not fatal.
    pool.on("error", () => {});
    return new PrismaPg(pool, { disposeExternalPool: true }).connect();
  }
}

// Prisma's SQLite adapter with connections that wait for the write lock. SQLite has one writer at a time; libsql
// opens its connections with busy_timeout = 0, so any Prisma write that meets another process's write (a CLI
// command beside `npm start`, the server's worker beside a command) failed at once, whatever the lock's holder was
// doing. Every connection here waits up to BUSY_TIMEOUT_MS instead (test/app/sqlite-commands-beside-server.test.ts).
//
// @libsql/client (0.8) opens a fresh connection after every transaction, so the pragma is set again on the first
// use after each one. Transactions begin IMMEDIATE: a deferred one that reads first and writes later cannot wait
// for the lock (SQLite answers SQLITE_BUSY at once when the database changed since its read), and the app's
// Prisma transactions all write.
//
// The wait blocks the event loop (the client is synchronous): acceptable because every writer holds the lock for
// milliseconds. The pipeline's own driver (app/pipeline/sql/driver.server.ts) never waits inside SQLite and
// retries asynchronously instead, so it never holds up this process's Prisma connections.
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import type { Client, Config, InStatement, TransactionMode } from "@libsql/client";

export const BUSY_TIMEOUT_MS = 5_000;

class LockWaitingClient implements Client {
  private fresh = true;
  constructor(private readonly inner: Client) {}

  get closed() {
    return this.inner.closed;
  }
  get protocol() {
    return this.inner.protocol;
  }

  private async ready() {
    if (!this.fresh) return;
    this.fresh = false;
    await this.inner.execute(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }

  async execute(stmt: InStatement) {
    await this.ready();
    return this.inner.execute(stmt);
  }
  async batch(stmts: InStatement[], mode?: TransactionMode) {
    await this.ready();
    this.fresh = true;
    return this.inner.batch(stmts, mode === "deferred" ? "write" : mode);
  }
  async transaction(mode?: TransactionMode) {
    await this.ready();
    // The transaction keeps this connection; the next statement gets a new one.
    this.fresh = true;
    return this.inner.transaction(mode === undefined || mode === "deferred" ? "write" : mode);
  }
  async executeMultiple(sql: string) {
    await this.ready();
    return this.inner.executeMultiple(sql);
  }
  async sync() {
    return this.inner.sync();
  }
  close() {
    this.inner.close();
  }
}

export class PrismaLibSQLWaitingForLocks extends PrismaLibSQL {
  override createClient(config: Config): Client {
    return new LockWaitingClient(super.createClient(config));
  }
}

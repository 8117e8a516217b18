// Direct driver connections for the pipeline's hot paths (webhook ingestion, claiming, recording attempts).
// Measured on the 2-core target: a Prisma query costs about 2 ms of CPU and, on SQLite, every Prisma transaction
// opens a fresh connection and waits for an fsync; 700 webhooks/s is out of reach that way. These paths talk to
// the driver instead, with one code path for both databases: a unit of work is a generator that yields
// statements and receives their rows, run synchronously on SQLite (so a transaction never spans an event-loop
// turn and never blocks Prisma's connections in this process) and asynchronously on PostgreSQL.
//
// SQLite runs in WAL mode with synchronous=NORMAL on this connection: a commit survives a crash of the process;
// a power loss can undo the last moments of commits but never corrupts the file (sqlite.org/wal.html).
//
// Group commit on SQLite: the transactions asked for during one event-loop turn (the webhooks whose bodies arrived
// together, the worker's attempts that finished together) run in one write transaction, each inside a savepoint
// of its own, so that one failing unit rolls back only itself. Measured through `npm start` at 700 webhooks/s
// (bench/ingest.bench.ts, serve), a commit per webhook spent most of the process's CPU in SQLite writing the same
// index pages to the WAL again and again; a batch writes them once. A caller's promise still resolves only after
// the COMMIT that holds its work.
import Database from "libsql";
import pg from "pg";
import { databaseKind, databaseUrlOf, type Db, type DbKind } from "../../db/client.server.ts";
import { checkOut } from "../../db/pg-pool.server.ts";

export type Row = Record<string, unknown>;
export interface Stmt {
  sql: string;
  params: unknown[];
  /** PostgreSQL only: the text already uses $1, $2, ... (a statement built for PostgreSQL alone). */
  numbered?: boolean;
}
export interface StmtResult {
  rows: Row[];
  changes: number;
}
/**
 * A unit of work: yields statements ("?" placeholders), receives their results, returns its value. It may be run
 * more than once (a batch-mate's failed statement costs SQLite the batch's connection, and the rest of the batch
 * runs again): only what it yields and returns may depend on the rows it reads, never a side effect of its own.
 */
export type Work<T> = Generator<Stmt, T, StmtResult>;

/** Thrown inside a unit of work to roll it back and return `value` instead. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

export const sql = (strings: TemplateStringsArray, ...params: unknown[]): Stmt => ({ sql: strings.join("?"), params });

export interface SqlDriver {
  readonly kind: DbKind;
  /** Runs the work in one transaction (retrying when SQLite is busy with another process). */
  transaction<T>(work: () => Work<T>): Promise<T>;
  /** Runs the work's statements outside a transaction (reads). */
  read<T>(work: () => Work<T>): Promise<T>;
  close(): Promise<void>;
}

/** Dates as each database stores them through Prisma: ISO text on SQLite, timestamp(3) in UTC on PostgreSQL. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value ?? null;
}

function postgresValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().slice(0, -1);
  return value ?? null;
}

function sqliteBusy(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? "";
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || /database is locked/i.test(String(error));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Pending {
  work: () => Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
/** At most this many units per write transaction: bounds how long one batch holds the event loop and the lock. */
const MAX_GROUP = 64;
const SAVEPOINT: Stmt = { sql: 'SAVEPOINT "unit"', params: [] };
const RELEASE: Stmt = { sql: 'RELEASE "unit"', params: [] };
const ROLLBACK_TO: Stmt = { sql: 'ROLLBACK TO "unit"', params: [] };

class SqliteDriver implements SqlDriver {
  readonly kind = "sqlite" as const;
  private db: Database.Database;
  private statements = new Map<string, Database.Statement>();
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(private readonly path: string) {
    this.db = this.open();
  }

  private open(): Database.Database {
    const db = new Database(this.path);
    // No busy wait inside this connection: it is synchronous, so waiting would block the event loop (and with
    // it the Prisma transaction holding the lock). Busy is retried asynchronously below.
    db.prepare("PRAGMA busy_timeout = 0").get();
    try {
      db.prepare("PRAGMA journal_mode = WAL").get();
    } catch (error) {
      if (!sqliteBusy(error)) throw error;
    }
    db.prepare("PRAGMA synchronous = NORMAL").run();
    return db;
  }

  private execute(stmt: Stmt): StmtResult {
    try {
      let prepared = this.statements.get(stmt.sql);
      if (!prepared) {
        prepared = this.db.prepare(stmt.sql);
        this.statements.set(stmt.sql, prepared);
      }
      const params = stmt.params.map(sqliteValue);
      if (prepared.reader) {
        const rows = prepared.all(...params) as Row[];
        return { rows, changes: rows.length };
      }
      return { rows: [], changes: Number(prepared.run(...params).changes) };
    } catch (error) {
      // libsql leaves a statement that failed (busy, typically) in progress, with no way to reset it: this
      // connection's next COMMIT would fail with "SQL statements in progress" and its next BEGIN IMMEDIATE with
      // SQLITE_BUSY_SNAPSHOT, again and again. A fresh connection has no such statement (and no transaction:
      // closing rolls back what was open).
      this.reopen();
      throw error;
    }
  }

  private reopen() {
    const stale = this.db;
    this.statements = new Map();
    // Its statements are only finalized when collected, and until then close() leaves the connection (and the
    // write lock of an open transaction) alive: roll the transaction back first.
    try {
      if (stale.inTransaction) stale.prepare("ROLLBACK").run();
    } catch {
      // Closing below is all that is left to try.
    }
    this.db = this.open();
    try {
      stale.close();
    } catch {
      // Closing only releases what the failed statement held.
    }
  }

  private drive<T>(work: Work<T>): T {
    let step = work.next();
    while (!step.done) step = work.next(this.execute(step.value));
    return step.value;
  }

  transaction<T>(work: () => Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.flushing || this.scheduled || !this.queue.length) return;
    this.scheduled = true;
    // setImmediate, not a microtask: the batch collects every transaction asked for while this turn's I/O
    // callbacks (other sockets' bodies) ran.
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = true;
      void this.flush().finally(() => {
        this.flushing = false;
        this.schedule();
      });
    });
  }

  private async flush() {
    let units = this.queue.splice(0, MAX_GROUP);
    while (units.length) {
      try {
        await this.begin();
      } catch (error) {
        for (const unit of units) unit.reject(error);
        return;
      }
      try {
        units = this.runBatch(units);
      } catch (error) {
        // A savepoint statement itself failed: nothing of the batch is committed (settled units stay settled).
        if (this.db.inTransaction) this.reopen();
        for (const unit of units) unit.reject(error);
        return;
      }
    }
  }

  /** BEGIN IMMEDIATE, retried asynchronously while another process holds the write lock. */
  private async begin() {
    for (let attempt = 0; ; attempt++) {
      try {
        this.execute({ sql: "BEGIN IMMEDIATE", params: [] });
        return;
      } catch (error) {
        if (!sqliteBusy(error) || attempt >= 2000) throw error;
        await sleep(Math.min(20, 1 + attempt) * (0.5 + Math.random()));
      }
    }
  }

  /**
   * Inside BEGIN IMMEDIATE: each unit in a savepoint, then one COMMIT. Settles the units and returns none, or,
   * when a failed statement cost the connection (and so the transaction), settles that unit and returns the
   * others, to run again in a new transaction.
   */
  private runBatch(units: Pending[]): Pending[] {
    const values = new Map<Pending, unknown>();
    const failed = new Map<Pending, unknown>();
    for (const [index, unit] of units.entries()) {
      this.execute(SAVEPOINT);
      try {
        values.set(unit, this.drive(unit.work()));
        this.execute(RELEASE);
      } catch (error) {
        if (!this.db.inTransaction) {
          // execute() reopened the connection: everything this batch ran so far is rolled back.
          unit.reject(error);
          for (const [other, otherError] of failed) other.reject(otherError);
          return units.filter((other, i) => i !== index && !failed.has(other));
        }
        this.execute(ROLLBACK_TO);
        this.execute(RELEASE);
        if (error instanceof Rollback) values.set(unit, error.value);
        else failed.set(unit, error);
      }
    }
    try {
      this.execute({ sql: "COMMIT", params: [] });
    } catch (error) {
      if (this.db.inTransaction) this.execute({ sql: "ROLLBACK", params: [] });
      for (const unit of units) unit.reject(failed.get(unit) ?? error);
      return [];
    }
    for (const [unit, value] of values) unit.resolve(value);
    for (const [unit, error] of failed) unit.reject(error);
    return [];
  }

  async read<T>(work: () => Work<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.drive(work());
      } catch (error) {
        if (sqliteBusy(error) && attempt < 2000) {
          await sleep(Math.min(20, 1 + attempt));
          continue;
        }
        throw error;
      }
    }
  }

  async close() {
    this.db.close();
  }
}

const MAX_PREPARED = 200;

// timestamp(3) without time zone holds UTC (Prisma's convention): read it as UTC whatever the process's TZ.
const TIMESTAMP_OID = 1114;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_OID ? (value: string) => new Date(`${value.replace(" ", "T")}Z`) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

class PostgresDriver implements SqlDriver {
  readonly kind = "postgresql" as const;
  private readonly pool: pg.Pool;
  private readonly texts = new Map<string, string>();
  private readonly names = new Map<string, string>();

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: Number(process.env.PIPELINE_PG_POOL ?? 10), types });
    // A dropped idle connection must not crash the process; the next query opens another.
    this.pool.on("error", () => {});
  }

  private text(raw: string): string {
    let text = this.texts.get(raw);
    if (text === undefined) {
      let n = 0;
      text = raw.replace(/\?/g, () => `$${++n}`);
      this.texts.set(raw, text);
    }
    return text;
  }

  /**
   * Named (prepared once per connection, then only bound and executed): PostgreSQL otherwise parses and plans
   * every statement again, which on the 2-core target was a good part of the database's CPU per webhook. Only
   * the first MAX_PREPARED texts get a name, so statements built with a varying number of values cannot make
   * every connection hold an unbounded number of prepared statements.
   */
  private statementName(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_PREPARED) {
      name = `relay_${this.names.size}`;
      this.names.set(text, name);
    }
    return name;
  }

  private async drive<T>(client: pg.PoolClient | pg.Pool, work: Work<T>): Promise<T> {
    let step = work.next();
    while (!step.done) {
      const stmt = step.value;
      const text = stmt.numbered ? stmt.sql : this.text(stmt.sql);
      const result = await client.query({ text, name: this.statementName(text), values: stmt.params.map(postgresValue) });
      step = work.next({ rows: result.rows as Row[], changes: result.rowCount ?? 0 });
    }
    return step.value;
  }

  async transaction<T>(work: () => Work<T>): Promise<T> {
    // A lost connection (app/db/pg-pool.server.ts) fails the statement in progress by itself; the client is then
    // discarded rather than pooled again.
    let broken: Error | boolean = false;
    const onLost = (error: Error) => (broken = error);
    const client = await checkOut(this.pool, onLost);
    try {
      await client.query("BEGIN");
      try {
        const value = await this.drive(client, work());
        await client.query("COMMIT");
        return value;
      } catch (error) {
        if (!broken) await client.query("ROLLBACK").catch(() => (broken ||= true));
        if (error instanceof Rollback) return error.value as T;
        throw error;
      }
    } finally {
      client.off("error", onLost);
      client.release(broken);
    }
  }

  read<T>(work: () => Work<T>): Promise<T> {
    return this.drive(this.pool, work());
  }

  async close() {
    await this.pool.end();
  }
}

const drivers = new WeakMap<Db, SqlDriver>();

/** The pipeline's driver connection for a Prisma client's database (one per client, closed with closeDriver). */
export function driverFor(db: Db): SqlDriver {
  let driver = drivers.get(db);
  if (!driver) {
    const url = databaseUrlOf(db);
    driver = databaseKind(url) === "sqlite" ? new SqliteDriver(url.replace(/^file:/, "")) : new PostgresDriver(url);
    drivers.set(db, driver);
  }
  return driver;
}

export async function closeDriver(db: Db): Promise<void> {
  const driver = drivers.get(db);
  drivers.delete(db);
  await driver?.close();
}

// "The database cannot be reached right now", told apart from every other failure, on both drivers: the webhook
// routes answer it with 503 (app/pipeline/webhook-outage.server.ts) and keep 500 for defects. Errors arrive raw
// from pg and libsql (app/pipeline/sql/driver.server.ts), or wrapped by Prisma and its driver adapters (a `cause`,
// an AggregateError's `errors`, `meta.driverAdapterError`), so the whole chain is looked at.

/** Node's socket errors for a server that is not there or went away. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EPIPE"]);

/**
 * PostgreSQL's SQLSTATEs for a server that is shutting down, starting, or out of connections: 57P01
 * admin_shutdown (a restart or pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300
 * too_many_connections. Class 08 (connection exception) is matched as a class.
 */
const POSTGRES_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** What pg says, without a code, when its connection ended or never came. */
const PG_MESSAGES = /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect/i;

/**
 * Prisma's codes for the same (prisma.io/docs/orm/reference/error-reference): P1001 cannot reach the server,
 * P1002 reaching it timed out, P1008 operations timed out, P1017 the server closed the connection, P2024 no
 * connection from the pool in time.
 */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

/** Prisma's driver adapters' kinds for the same (DriverAdapterError's cause). */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "DatabaseUnavailable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/**
 * SQLite: another process holds the write lock longer than the driver keeps retrying (SQLITE_BUSY, SQLITE_LOCKED,
 * "database is locked"), or the file cannot be opened (its volume is gone: SQLITE_CANTOPEN, or libsql's "Failed to
 * connect to database", which comes without a code). Constraint and schema errors are not.
 */
const SQLITE_CODE = /^SQLITE_(BUSY|LOCKED|CANTOPEN)/;
const SQLITE_MESSAGES = /database is locked|^Failed to connect to database/i;

function unavailableItself(error: object): boolean {
  const { code, kind, message } = error as { code?: unknown; kind?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code) || PRISMA_CODES.has(code) || SQLITE_CODE.test(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
  return typeof message === "string" && (PG_MESSAGES.test(message) || SQLITE_MESSAGES.test(message));
}

/** Errors this one wraps, wherever Node, pg and Prisma put them. */
function wrapped(error: object): unknown[] {
  const { cause, errors, meta } = error as { cause?: unknown; errors?: unknown; meta?: { driverAdapterError?: unknown } };
  return [cause, ...(Array.isArray(errors) ? errors : []), meta?.driverAdapterError];
}

/** True when `error`, or an error it wraps, says the database cannot be reached now (rather than a defect). */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== "object" || depth > 6) return false;
  if (error instanceof Response) return false;
  return unavailableItself(error) || wrapped(error).some((inner) => isDatabaseUnavailable(inner, depth + 1));
}

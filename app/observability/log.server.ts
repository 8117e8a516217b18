// The app's one logger: JSON lines (pino) on stdout, one object per event. Pipeline lines carry the fields an
// operator filters on, always under the same names (LogFields below). They never carry a secret or a customer's
// personal data: callers pass ids and counts, not payloads, and the redaction below is a second line of defence
// for the names under which a secret or an address could slip in.
import { pino, type DestinationStream, type Logger } from "pino";

/** The names pipeline lines use for what they are about (any of them may be absent). */
export interface LogFields {
  shop?: string;
  /** The app's Order.id (not Shopify's order id: that is only read once, at ingestion). */
  order?: string;
  delivery?: string;
  network?: string;
  [field: string]: unknown;
}

// Keys whose value is never written, at the top of a line or up to two levels down.
const REDACTED_KEYS = [
  "secret",
  "secretKey",
  "apiToken",
  "apiKey",
  "token",
  "password",
  "authorization",
  "cookie",
  "email",
  "phone",
  "ip",
  "ipAddress",
  "ip_address",
  "browser_ip",
  "first_name",
  "last_name",
  "firstName",
  "lastName",
  "customer",
  "payload",
  "headers",
  "body",
];
const REDACT_PATHS = [...REDACTED_KEYS, ...REDACTED_KEYS.map((key) => `*.${key}`), ...REDACTED_KEYS.map((key) => `*.*.${key}`)];

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** LOG_LEVEL (default info): fatal, error, warn, info, debug, trace or silent. */
export function logLevelFromEnv(value = process.env.LOG_LEVEL): string {
  if (value === undefined || value === "") return "info";
  if (!LEVELS.includes(value)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(", ")}, got "${value}"`);
  return value;
}

/** A logger writing to `destination` (stdout by default); tests pass a stream to read the lines back. */
export function createLogger(destination?: DestinationStream, level = logLevelFromEnv()): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    destination,
  );
}

let root: Logger | undefined;

/** The process's logger, created on first use (so a bad LOG_LEVEL is an error where logging starts). */
export function log(): Logger {
  return (root ??= createLogger());
}

/** The message-first shape the worker's `logger` option takes (app/pipeline/worker.server.ts). */
export interface FieldLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A FieldLogger over a pino logger, each line tagged with `component`. */
export function fieldLogger(component: string, logger: () => Logger = log): FieldLogger {
  let child: Logger | undefined;
  const target = () => (child ??= logger().child({ component }));
  return {
    info: (message, fields) => target().info(fields ?? {}, message),
    warn: (message, fields) => target().warn(fields ?? {}, message),
    error: (message, fields) => target().error(fields ?? {}, message),
  };
}

/** The fields of a line about one delivery (app/pipeline/claim.server.ts's ClaimedDelivery). */
export function deliveryFields(d: { id: string; shop: string; orderId: string; network: string; kind: string }): LogFields {
  return { shop: d.shop, order: d.orderId, delivery: d.id, network: d.network, kind: d.kind };
}

/** An error as a log field: its message only (stack traces belong to the debugger, and may quote data). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

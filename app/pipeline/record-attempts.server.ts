// Recording attempts that reached a network: each attempt's row in DeliveryAttempt and its delivery's new state,
// for every delivery whose answer came back while the previous record was being written, together: one
// transaction on SQLite, one statement on PostgreSQL (group-calls.ts). Each delivery's update still applies only
// while its own claim holds the lease (held-delivery.server.ts), and its attempt is logged either way, exactly as
// when each was recorded alone: a crash between sending and recording leaves the delivery in flight until its
// lease runs out (claim.server.ts recoverExpiredLeases), whichever deliveries shared the record.
import type { Db } from "../db/client.server.ts";
import { scrubLoggedRequest, scrubText, type Needles } from "../compliance/customer-scrub.ts";
import { KEYS_REJECTED } from "../networks/decide.ts";
import { redactRequest, responseExcerpt, type SendResult } from "../networks/http.ts";
import type { Classification, NetworkRequest } from "../networks/types.ts";
import type { ClaimedDelivery } from "./claim.server.ts";
import { holdOffAfterRetryAfter } from "./claim-paced.server.ts";
import { afterConversion, pauseOthers, released, SqlValue, updateHeld, valueSql, type Columns } from "./held-delivery.server.ts";
import { groupCalls, groupedPer } from "./group-calls.ts";
import { describeError } from "./plan.ts";
import { nextAttempt, type RetryPolicy } from "./retry-policy.ts";
import { driverFor, type Stmt } from "./sql/driver.server.ts";
import { newId } from "./sql/ids.ts";

/** What is kept of a network's answer on the attempt's row. */
const EXCERPT = 1000;

export interface AttemptRecord {
  request: NetworkRequest;
  startedAt: Date;
  durationMs: number;
  httpStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  classification: Classification;
  credentialsVersion: number;
  customer: Needles;
}

/** The record of one request's answer for one delivery (a batched request's answer is each part's). */
export function attemptRecord(
  request: NetworkRequest,
  startedAt: Date,
  result: SendResult,
  classification: Classification,
  about: { credentialsVersion: number; customer: Needles },
): AttemptRecord {
  return {
    request,
    startedAt,
    durationMs: Math.round(result.durationMs),
    httpStatus: result.ok ? result.response.status : null,
    responseExcerpt: result.ok ? responseExcerpt(result.response.body, EXCERPT) : null,
    error: result.ok ? null : describeError(result.error),
    classification,
    credentialsVersion: about.credentialsVersion,
    customer: about.customer,
  };
}

/** What a recording needs of the worker's context. */
export interface RecordContext {
  db: Db;
  now: () => Date;
  random: () => number;
  retry: RetryPolicy;
}

export type RecordedOutcome = "succeeded" | "retry" | "failed" | "paused" | "lost";

function transition(ctx: RecordContext, d: ClaimedDelivery, a: AttemptRecord, now: Date): { outcome: Exclude<RecordedOutcome, "lost">; columns: Columns } {
  const attempts = d.attempts + 1;
  const firstAttemptAt = d.firstAttemptAt ?? a.startedAt;
  const common: Columns = { attempts, firstAttemptAt, lastStatus: a.httpStatus, credentialsVersion: a.credentialsVersion, ...released(now) };
  const c = a.classification;
  switch (c.kind) {
    case "success":
      return {
        outcome: "succeeded",
        columns: { ...common, status: "succeeded", reason: c.note ?? null, lastError: null, completedAt: now, externalRef: c.externalRef ?? d.externalRef },
      };
    case "retry": {
      const next = nextAttempt(ctx.retry, { failedAttempts: attempts, firstAttemptAt, now, retryAfterMs: c.retryAfterMs, random: ctx.random });
      return next.retry
        ? { outcome: "retry", columns: { ...common, status: "pending", nextAttemptAt: next.at, lastError: c.reason, reason: `retrying: ${c.reason}` } }
        : { outcome: "failed", columns: { ...common, status: "failed", lastError: c.reason, reason: `${next.reason}: ${c.reason}`, completedAt: now } };
    }
    case "permanent":
    case "redirected":
      return { outcome: "failed", columns: { ...common, status: "failed", lastError: c.reason, reason: c.reason, completedAt: now } };
    case "credentials_rejected":
      return { outcome: "paused", columns: { ...common, status: "paused", lastError: c.reason, reason: `${KEYS_REJECTED} (${c.reason})` } };
  }
}

interface Pending {
  d: ClaimedDelivery;
  a: AttemptRecord;
}

/** One delivery's statements: its attempt's values, its held update, and the follow-ups once that update took. */
interface Statements {
  outcome: Exclude<RecordedOutcome, "lost">;
  attemptValues: Array<[string, unknown[]]>;
  held: Stmt;
  followUps: Stmt[];
}

const ATTEMPT_COLUMNS = `"id", "deliveryId", "shop", "startedAt", "durationMs", "request", "httpStatus", "outcome", "responseExcerpt", "error"`;

/**
 * A customers/redact may have scrubbed the order since it was read for this request (customer-redact.server.ts):
 * what is written then is scrubbed as it is written. `orders` names where the order's redactedAt is read: the
 * "Order" table on SQLite (inside the write transaction, so no redaction can come in between), the "o" row
 * locked FOR SHARE on PostgreSQL, so that a redaction either waits for this record (and scrubs it) or this
 * record waits for the redaction.
 */
function statementsFor(ctx: RecordContext, { d, a }: Pending, now: Date, orders: '"Order"' | '"o"'): Statements {
  const { outcome, columns } = transition(ctx, d, a, now);
  const c = a.classification;
  const redacted = `EXISTS (SELECT 1 FROM ${orders} WHERE ${orders}."id" = ? AND ${orders}."redactedAt" IS NOT NULL)`;
  const unlessRedacted = (plain: string | null, scrubbed: string | null) => new SqlValue(`CASE WHEN ${redacted} THEN ? ELSE ? END`, [d.orderId, scrubbed, plain]);
  const privately = (text: unknown) => {
    const plain = text === null || text === undefined ? null : String(text);
    return unlessRedacted(plain, scrubText(plain, a.customer));
  };
  const request = JSON.stringify(redactRequest(a.request));
  const error = a.error ?? (c.kind === "success" ? null : c.reason);
  const attemptValues = [
    newId(),
    d.id,
    d.shop,
    a.startedAt,
    a.durationMs,
    unlessRedacted(request, scrubLoggedRequest(request, a.customer)),
    a.httpStatus,
    c.kind,
    privately(a.responseExcerpt),
    privately(error),
  ].map(valueSql);
  const held = updateHeld(d, { ...columns, reason: privately(columns.reason), lastError: privately(columns.lastError) });
  // Only once this worker's update took (it still held the lease).
  const followUps = [
    ...afterConversion(d, String(columns.status), null, now),
    ...(outcome === "paused" ? pauseOthers(d, a.credentialsVersion, now) : []),
    ...holdOffAfterRetryAfter(d, a, ctx.retry.maxRetryAfterMs, now),
  ];
  return { outcome, attemptValues, held, followUps };
}

const tuple = (values: Array<[string, unknown[]]>) => `(${values.map(([text]) => text).join(", ")})`;
const tupleParams = (values: Array<[string, unknown[]]>) => values.flatMap(([, params]) => params);

/** SQLite: one transaction; the statements are each delivery's own (prepared once, kept by the driver). */
async function recordOnSqlite(ctx: RecordContext, batch: Pending[]): Promise<RecordedOutcome[]> {
  const now = ctx.now();
  const all = batch.map((pending) => statementsFor(ctx, pending, now, '"Order"'));
  return driverFor(ctx.db).transaction(function* () {
    const outcomes: RecordedOutcome[] = [];
    for (const s of all) {
      // The attempt happened whatever became of the lease: it is always logged.
      yield { sql: `INSERT INTO "DeliveryAttempt" (${ATTEMPT_COLUMNS}) VALUES ${tuple(s.attemptValues)}`, params: tupleParams(s.attemptValues) };
      const updated = yield s.held;
      if (!updated.changes) {
        outcomes.push("lost");
        continue;
      }
      for (const statement of s.followUps) yield statement;
      outcomes.push(s.outcome);
    }
    return outcomes;
  });
}

/**
 * PostgreSQL: one statement of data-modifying CTEs, which runs atomically: the orders' locks ("o"), each
 * delivery's held update ("u<i>"), every attempt in one multi-row INSERT ("a"), and the follow-ups, which apply
 * only where their delivery's update did (EXISTS on its RETURNING). No two parts touch the same row: each update
 * is one held delivery, follow-ups touch only waiting or pending rows of their own order or network, and a
 * delivery whose keys were rejected (pauseOthers) is recorded on its own.
 */
function postgresStatement(all: Statements[], orderIds: string[]): Stmt {
  const params: unknown[] = [];
  const numbered = (text: string, values: unknown[]) => {
    const base = params.length;
    let i = 0;
    params.push(...values);
    return text.replace(/\?/g, () => `$${base + ++i}`);
  };
  const parts = [`"o" AS (${numbered(`SELECT "id", "redactedAt" FROM "Order" WHERE "id" IN (${orderIds.map(() => "?").join(", ")}) ORDER BY "id" FOR SHARE`, orderIds)})`];
  all.forEach((s, i) => parts.push(`"u${i}" AS (${numbered(s.held.sql, s.held.params)} RETURNING "id")`));
  parts.push(`"a" AS (${numbered(`INSERT INTO "DeliveryAttempt" (${ATTEMPT_COLUMNS}) VALUES ${all.map((s) => tuple(s.attemptValues)).join(", ")}`, all.flatMap((s) => tupleParams(s.attemptValues)))})`);
  all.forEach((s, i) => s.followUps.forEach((f, j) => parts.push(`"f${i}_${j}" AS (${numbered(f.sql, f.params)} AND EXISTS (SELECT 1 FROM "u${i}"))`)));
  const held = all.map((_, i) => `SELECT ${i} AS "i" FROM "u${i}"`).join(" UNION ALL ");
  // Numbered here: the text differs with every batch, and the driver keeps the texts it numbers itself.
  return { sql: `WITH ${parts.join(",\n")}\n${held}`, params, numbered: true };
}

async function recordOnPostgres(ctx: RecordContext, batch: Pending[]): Promise<RecordedOutcome[]> {
  const now = ctx.now();
  const all = batch.map((pending) => statementsFor(ctx, pending, now, '"o"'));
  const statement = postgresStatement(all, [...new Set(batch.map(({ d }) => d.orderId))]);
  const held = await driverFor(ctx.db).read(function* () {
    return new Set((yield statement).rows.map((row) => Number(row.i)));
  });
  return all.map((s, i) => (held.has(i) ? s.outcome : "lost"));
}

async function recordTogether(ctx: RecordContext, batch: Pending[]): Promise<RecordedOutcome[]> {
  return driverFor(ctx.db).kind === "postgresql" ? recordOnPostgres(ctx, batch) : recordOnSqlite(ctx, batch);
}

type Result = { outcome: RecordedOutcome } | { error: unknown };

/**
 * Keys rejected pause the shop's other deliveries to that network: such a record goes alone. When the batch
 * fails, nothing of it was written (one transaction, or one statement): each record is then tried on its own, so
 * that one record the database refuses cannot hold back the others, and each caller gets its own answer.
 */
async function recordBatch(ctx: RecordContext, batch: Pending[]): Promise<Result[]> {
  const results = new Map<Pending, Result>();
  const together = batch.filter((pending) => pending.a.classification.kind !== "credentials_rejected");
  if (together.length > 1) {
    try {
      (await recordTogether(ctx, together)).forEach((outcome, i) => results.set(together[i]!, { outcome }));
    } catch {
      // Each on its own below.
    }
  }
  for (const pending of batch) {
    if (results.has(pending)) continue;
    try {
      results.set(pending, { outcome: (await recordTogether(ctx, [pending]))[0]! });
    } catch (error) {
      results.set(pending, { error });
    }
  }
  return batch.map((pending) => results.get(pending)!);
}

const recorders = groupedPer((ctx: RecordContext) => groupCalls<Pending, Result>((batch) => recordBatch(ctx, batch)));

/**
 * Records one attempt, together with the others that finished meanwhile in this worker. "lost": the lease had
 * gone to another claim (the attempt is logged all the same). Throws when the database did not take the record.
 */
export async function recordAttempt(ctx: RecordContext, d: ClaimedDelivery, a: AttemptRecord): Promise<RecordedOutcome> {
  const result = await recorders(ctx)({ d, a });
  if ("error" in result) throw result.error;
  return result.outcome;
}

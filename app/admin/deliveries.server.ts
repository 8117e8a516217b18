// The delivery log for one shop: the index (filtered, newest first, paginated by a keyset cursor on (createdAt, id)
// that each filter's index of prisma/schema.prisma reads in order) and
// one delivery with its order and every attempt. Every query names the shop; a delivery of another shop is not
// found. Columns are listed explicitly: nothing secret is ever selected, and shoppers' data is hidden.
import type { Db } from "../db/client.server.ts";
import { networkById } from "../networks/registry.ts";
import { PAGE_SIZE, type DeliveryFilters, type DeliveryPage, type DeliveryRow } from "./delivery-filters.ts";
import { hideEmails, hidePersonalData } from "./personal-data.ts";

const DAY = 86_400_000;
const REASON_CHARS = 300;
const ATTEMPTS_SHOWN = 50;

const labelOf = (id: string) => networkById(id)?.label ?? id;
const excerpt = (text: string | null, max = REASON_CHARS) => (text ? hideEmails(text.length > max ? `${text.slice(0, max - 1)}…` : text) : null);

interface Cursor {
  at: Date;
  id: string;
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.getTime(), row.id])).toString("base64url");
}

function decodeCursor(text: string | undefined): Cursor | null {
  if (!text) return null;
  try {
    const [ms, id] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as [unknown, unknown];
    if (typeof ms !== "number" || !Number.isFinite(ms) || typeof id !== "string" || id.length > 64) return null;
    return { at: new Date(ms), id };
  } catch {
    return null;
  }
}

/** "1001" and "#1001" both find order #1001. */
const orderNames = (text: string) => {
  const bare = text.replace(/^#/, "");
  return [...new Set([`#${bare}`, bare])];
};

export async function listDeliveries(db: Db, shop: string, filters: DeliveryFilters): Promise<DeliveryPage> {
  const where: Record<string, unknown> = { shop };
  if (filters.network) where.network = filters.network;
  if (filters.status) where.status = filters.status;
  // Refunds' kinds are "refund:<refund id>": a range of the (shop, kind, createdAt, id) index (a LIKE would not
  // use it on PostgreSQL's collations).
  if (filters.kind) where.kind = filters.kind === "refund" ? { gte: "refund:", lt: "refund;" } : filters.kind;
  const createdAt: Record<string, Date> = {};
  if (filters.from) createdAt.gte = new Date(`${filters.from}T00:00:00Z`);
  if (filters.to) createdAt.lt = new Date(Date.parse(`${filters.to}T00:00:00Z`) + DAY);
  if (Object.keys(createdAt).length) where.createdAt = createdAt;
  if (filters.order) {
    const orders = await db.order.findMany({ where: { shop, name: { in: orderNames(filters.order) } }, select: { id: true }, take: 10 });
    if (!orders.length) return { rows: [], older: null, newer: null };
    where.orderId = { in: orders.map((order) => order.id) };
  }

  const before = decodeCursor(filters.before);
  const after = before ? null : decodeCursor(filters.after);
  const cursor = before ?? after;
  const direction = before ? "asc" : "desc";
  const beyond = before ? "gt" : "lt";
  // Keyset: (createdAt, id) beyond the cursor's, written with a bound on createdAt alone first, so the index
  // range starts at the cursor instead of at the newest row (the OR by itself is no range for either database).
  // Not for refunds: SQLite would then prefer that range of all deliveries to the range of refund kinds.
  const keyset = (cursorAt: Date, cursorId: string) => [
    ...(filters.kind === "refund" ? [] : [{ createdAt: { [`${beyond}e`]: cursorAt } }]),
    { OR: [{ createdAt: { [beyond]: cursorAt } }, { createdAt: cursorAt, id: { [beyond]: cursorId } }] },
  ];
  const page = await db.delivery.findMany({
    where: cursor ? { AND: [where, ...keyset(cursor.at, cursor.id)] } : where,
    orderBy: [{ createdAt: direction }, { id: direction }],
    take: PAGE_SIZE + 1,
    select: {
      id: true,
      network: true,
      kind: true,
      status: true,
      attempts: true,
      lastStatus: true,
      lastError: true,
      reason: true,
      createdAt: true,
      order: { select: { name: true } },
    },
  });
  const more = page.length > PAGE_SIZE;
  const shown = page.slice(0, PAGE_SIZE);
  if (before) shown.reverse();
  const rows: DeliveryRow[] = shown.map((row) => ({
    id: row.id,
    orderName: row.order.name,
    network: row.network,
    networkLabel: labelOf(row.network),
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    httpStatus: row.lastStatus,
    reason: excerpt(row.status === "succeeded" ? row.reason : (row.reason ?? row.lastError)),
    createdAt: row.createdAt.toISOString(),
  }));
  const first = shown[0];
  const last = shown[shown.length - 1];
  return {
    rows,
    older: last && (before ? true : more) ? encodeCursor(last) : null,
    newer: first && (before ? more : Boolean(after)) ? encodeCursor(first) : null,
  };
}

export interface AttemptView {
  id: string;
  startedAt: string;
  durationMs: number;
  httpStatus: number | null;
  outcome: string;
  /** The request as sent, secrets redacted and shoppers' data hidden, pretty-printed. */
  request: string;
  responseExcerpt: string | null;
  error: string | null;
}

export interface DeliveryDetail {
  id: string;
  network: string;
  networkLabel: string;
  kind: string;
  status: string;
  reason: string | null;
  lastError: string | null;
  httpStatus: number | null;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  completedAt: string | null;
  replayable: boolean;
  order: { name: string; shopifyOrderId: string; test: boolean; paidAt: string | null; cancelledAt: string | null };
  attemptLog: AttemptView[];
  /** Attempts older than those shown. */
  olderAttempts: number;
}

function prettyRequest(stored: string): string {
  try {
    return JSON.stringify(hidePersonalData(JSON.parse(stored)), null, 2);
  } catch {
    return hideEmails(stored);
  }
}

export async function loadDeliveryDetail(db: Db, shop: string, id: string): Promise<DeliveryDetail | null> {
  const row = await db.delivery.findFirst({
    where: { id, shop },
    select: {
      id: true,
      network: true,
      kind: true,
      status: true,
      reason: true,
      lastError: true,
      lastStatus: true,
      attempts: true,
      nextAttemptAt: true,
      createdAt: true,
      completedAt: true,
      order: { select: { name: true, shopifyOrderId: true, test: true, paidAt: true, cancelledAt: true } },
    },
  });
  if (!row) return null;
  const [attempts, total] = await Promise.all([
    db.deliveryAttempt.findMany({
      where: { deliveryId: row.id, shop },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take: ATTEMPTS_SHOWN,
      select: { id: true, startedAt: true, durationMs: true, httpStatus: true, outcome: true, request: true, responseExcerpt: true, error: true },
    }),
    db.deliveryAttempt.count({ where: { deliveryId: row.id, shop } }),
  ]);
  const waitingToSend = row.status === "pending" || row.status === "in_flight";
  return {
    id: row.id,
    network: row.network,
    networkLabel: labelOf(row.network),
    kind: row.kind,
    status: row.status,
    reason: excerpt(row.reason, 2000),
    lastError: excerpt(row.lastError, 2000),
    httpStatus: row.lastStatus,
    attempts: row.attempts,
    nextAttemptAt: waitingToSend ? row.nextAttemptAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    replayable: row.status === "failed" || row.status === "stopped",
    order: {
      name: row.order.name,
      shopifyOrderId: row.order.shopifyOrderId,
      test: row.order.test,
      paidAt: row.order.paidAt?.toISOString() ?? null,
      cancelledAt: row.order.cancelledAt?.toISOString() ?? null,
    },
    attemptLog: attempts.reverse().map((attempt) => ({
      id: attempt.id,
      startedAt: attempt.startedAt.toISOString(),
      durationMs: attempt.durationMs,
      httpStatus: attempt.httpStatus,
      outcome: attempt.outcome,
      request: prettyRequest(attempt.request),
      responseExcerpt: attempt.responseExcerpt === null ? null : hideEmails(attempt.responseExcerpt),
      error: excerpt(attempt.error, 2000),
    })),
    olderAttempts: Math.max(0, total - attempts.length),
  };
}

/** Per network: failed deliveries (what "retry all failed" would queue) and deliveries still queued. */
export async function queueCounts(db: Db, shop: string): Promise<Record<string, { failed: number; queued: number }>> {
  const groups = await db.delivery.groupBy({
    by: ["network", "status"],
    where: { shop, status: { in: ["failed", "pending", "in_flight"] } },
    _count: { _all: true },
  });
  const out: Record<string, { failed: number; queued: number }> = {};
  for (const group of groups) {
    const entry = (out[group.network] ??= { failed: 0, queued: 0 });
    if (group.status === "failed") entry.failed += group._count._all;
    else entry.queued += group._count._all;
  }
  return out;
}

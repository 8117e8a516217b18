// Making one attempt at one claimed delivery: map the recorded order with the shop's current settings, send,
// classify, and record the attempt and the delivery's new state (record-attempts.server.ts, together with the
// other attempts that finished meanwhile).
import type { Db } from "../db/client.server.ts";
import { classifyAttempt, classifyTransportFailure, sendNetworkRequest, type SendResult } from "../networks/http.ts";
import type { DeliveryDecision, DeliveryEvent } from "../networks/decide.ts";
import { networkById } from "../networks/registry.ts";
import type { Classification, NetworkDefinition, NetworkRequest } from "../networks/types.ts";
import type { NormalizedOrder, NormalizedRefund } from "../orders/model.ts";
import { markCredentialsOk, markCredentialsRejected, type ConnectedNetwork, type ShopConfig } from "../settings/store.server.ts";
import { releaseClaims, type ClaimedDelivery } from "./claim.server.ts";
import { renewLease, renewLeases } from "./renew-leases.server.ts";
import { customerNeedles, type Needles } from "../compliance/customer-scrub.ts";
import { afterConversion, released, updateHeld, type Columns } from "./held-delivery.server.ts";
import { CANCELLATION, CONVERSION } from "./model.ts";
import { conversionStanding, decideForShop, describeError } from "./plan.ts";
import { decisionInputs } from "./read-inputs.server.ts";
import { attemptRecord, recordAttempt, type AttemptRecord } from "./record-attempts.server.ts";
import { nextAttempt, type RetryPolicy } from "./retry-policy.ts";
import { driverFor } from "./sql/driver.server.ts";
import { pipelineMetrics as metrics } from "../observability/metrics.server.ts";

export interface DeliverContext {
  db: Db;
  owner: string;
  now: () => Date;
  random: () => number;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  /** How long a claim holds; renewed for this long just before the request goes out. */
  leaseMs: number;
  shopConfig: (shop: string) => Promise<ShopConfig | null>;
}

export type DeliverOutcome = "succeeded" | "retry" | "failed" | "skipped" | "paused" | "waiting" | "lost";

/** Finishes a delivery without sending: only while this worker still holds its lease. */
async function settle(ctx: DeliverContext, d: ClaimedDelivery, status: "skipped" | "failed" | "paused" | "waiting", reason: string, extra: Columns = {}) {
  const now = ctx.now();
  const columns: Columns = { status, reason, ...released(now), ...(status === "skipped" || status === "failed" ? { completedAt: now } : {}), ...extra };
  await whileHeld(ctx, () =>
    driverFor(ctx.db).transaction(function* () {
      const updated = yield updateHeld(d, columns);
      if (updated.changes) yield* afterConversion(d, status, reason, now);
    }),
  );
}

/** The database failed before anything was sent: not the delivery's fault, so it is retried like a network 5xx. */
class DatabaseUnavailable extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what}: ${describeError(cause)}`, { cause });
  }
}

/**
 * Runs a database step for a claim this worker holds, trying again while the database is failing (a dropped
 * connection, a restart, a locked SQLite file) for at most a quarter of the lease. A claim that then still holds
 * is never sent: the lease is checked again just before its request goes out.
 */
async function whileHeld<T>(ctx: DeliverContext, step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + Math.min(ctx.leaseMs / 4, 60_000);
  for (let wait = 50; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      return await step();
    } catch (error) {
      if (Date.now() + wait > deadline) throw error;
      await sleep(wait);
    }
  }
}

/** Hands a delivery nothing was sent for back to the queue on the retry policy's schedule (counted as an attempt). */
async function retryLater(ctx: DeliverContext, d: ClaimedDelivery, reason: string): Promise<DeliverOutcome> {
  const now = ctx.now();
  const attempts = d.attempts + 1;
  const firstAttemptAt = d.firstAttemptAt ?? now;
  const next = nextAttempt(ctx.retry, { failedAttempts: attempts, firstAttemptAt, now, random: ctx.random });
  if (!next.retry) {
    await settle(ctx, d, "failed", `${next.reason}: ${reason}`, { attempts, firstAttemptAt, lastError: reason });
    return "failed";
  }
  const columns: Columns = { status: "pending", attempts, firstAttemptAt, nextAttemptAt: next.at, lastError: reason, reason: `retrying: ${reason}`, ...released(now) };
  await whileHeld(ctx, () =>
    driverFor(ctx.db).transaction(function* () {
      yield updateHeld(d, columns);
    }),
  );
  return "retry";
}

/** `customer` is who the request is about, as the order was read: what a redaction meanwhile must scrub. */
export type Prepared = { decision: DeliveryDecision; customer: Needles } | { skip: string };

/** Reads what the decision needs (app/networks/decide.ts) as it stands now, and takes it. */
export async function prepare(ctx: DeliverContext, d: ClaimedDelivery, config: ShopConfig | null): Promise<Prepared> {
  const inputs = () => decisionInputs(ctx.db, d);
  const { orderPayload, conversion, refundPayloads } = await whileHeld(ctx, inputs).catch((error: unknown) => {
    throw new DatabaseUnavailable("could not read the order", error);
  });
  if (orderPayload === null) return { skip: "the order was deleted" };
  const network = networkById(d.network);
  if (!network) return { skip: `this version of the app does not know the network "${d.network}"` };
  const order = JSON.parse(orderPayload) as NormalizedOrder;
  const standing = () => conversionStanding(conversion && { status: String(conversion.status), reason: conversion.reason === null ? null : String(conversion.reason), externalRef: conversion.externalRef === null ? null : String(conversion.externalRef) });
  const event: DeliveryEvent =
    d.kind === CONVERSION
      ? { kind: "conversion", externalRef: d.externalRef }
      : d.kind === CANCELLATION
        ? { kind: "cancellation", conversion: standing() }
        : {
            kind: "refund",
            refund: JSON.parse(d.payload ?? "null") as NormalizedRefund,
            refundsSoFar: refundPayloads.map((payload) => JSON.parse(payload) as NormalizedRefund),
            conversion: standing(),
          };
  return { decision: decideForShop(config, network, order, event), customer: customerNeedles(order.customer) };
}

/** A claimed delivery whose decision is to send. */
interface ToSend {
  d: ClaimedDelivery;
  request: NetworkRequest;
  customer: Needles;
  connected: ConnectedNetwork;
}

/** Takes a claimed delivery's decision, and settles it where nothing is to be sent. */
async function decideClaimed(ctx: DeliverContext, d: ClaimedDelivery, config: ShopConfig | null): Promise<ToSend | DeliverOutcome> {
  let prepared: Prepared;
  try {
    prepared = await prepare(ctx, d, config);
  } catch (error) {
    if (error instanceof DatabaseUnavailable) return retryLater(ctx, d, error.message);
    // Mapping the recorded order failed: the same data fails the same way on every retry.
    await settle(ctx, d, "failed", `could not prepare the request: ${describeError(error)}`);
    return "failed";
  }
  if ("skip" in prepared) {
    await settle(ctx, d, "skipped", prepared.skip);
    return "skipped";
  }
  const { decision } = prepared;
  const connected = config?.networks.find((n) => n.definition.id === d.network);
  if (decision.action === "wait") {
    await settle(ctx, d, "waiting", decision.reason);
    return "waiting";
  }
  if (decision.action === "pause") {
    await settle(ctx, d, "paused", decision.reason, { credentialsVersion: connected?.credentialsVersion ?? null });
    return "paused";
  }
  if (decision.action === "skip") {
    await settle(ctx, d, "skipped", decision.reason);
    return "skipped";
  }
  // Only a network the shop has switched on is ever sent to (app/networks/decide.ts).
  if (!connected) throw new Error(`decided to send ${d.id} to ${d.network}, which the shop's settings lack`);
  return { d, request: decision.request, customer: prepared.customer, connected };
}

/** One attempt at a delivery this worker has claimed. Never throws for a delivery's own problems. */
export async function deliverClaimed(ctx: DeliverContext, d: ClaimedDelivery): Promise<DeliverOutcome> {
  let config: ShopConfig | null;
  try {
    config = await whileHeld(ctx, () => ctx.shopConfig(d.shop));
  } catch (error) {
    return retryLater(ctx, d, new DatabaseUnavailable("could not read the shop's settings", error).message);
  }
  const ready = await decideClaimed(ctx, d, config);
  if (typeof ready === "string") return ready;
  const { request, connected } = ready;
  // The last moment to find out that the lease ran out while this claim waited: after this, it is sent.
  const lease = await whileHeld(ctx, () => renewLease(ctx, d));
  if (lease !== "held") return lease === "stopped" ? "skipped" : "lost";
  const startedAt = ctx.now();
  const result = await sendNetworkRequest(request, { timeoutMs: ctx.requestTimeoutMs });
  const classification = await classifyAttempt(connected.definition, request, result, { timeoutMs: ctx.requestTimeoutMs });
  metrics.attemptMade(d.network, classification.kind, result.durationMs);
  const outcome = await recordDurably(ctx, d, attemptRecord(request, startedAt, result, classification, { credentialsVersion: connected.credentialsVersion, customer: ready.customer }));
  if (outcome === "succeeded" && connected.credentialsStatus !== "ok") {
    await whileHeld(ctx, () => markCredentialsOk(ctx.db, d.shop, d.network, connected.credentialsVersion));
  }
  if (outcome === "paused" && classification.kind === "credentials_rejected") {
    await whileHeld(ctx, () => markCredentialsRejected(ctx.db, d.shop, d.network, connected.credentialsVersion, classification.reason));
  }
  return outcome;
}

export interface BatchOutcome {
  /** One per delivery of the batch that was decided or sent; ones handed back for a later request have none. */
  outcomes: DeliverOutcome[];
  /** Sent and answered, but their attempt could not be written down (AttemptNotRecorded). */
  unrecorded: AttemptNotRecorded[];
}

/** The answer to a combined request for each part: the network's own verdict per part where it gives one. */
function classifyParts(network: Pick<NetworkDefinition, "classify" | "classifyEach">, combined: NetworkRequest, parts: NetworkRequest[], result: SendResult): Classification[] {
  if (!result.ok) return parts.map(() => classifyTransportFailure(result));
  const each = network.classifyEach?.(result.response, combined, parts) ?? parts.map(() => network.classify(result.response, combined));
  // An answer that says nothing about a part leaves it unknown: asked again, never taken as done.
  return parts.map((_, i) => each[i] ?? { kind: "retry", reason: "the network's answer to the batch said nothing about this delivery" });
}

/**
 * One paced claim's deliveries (app/pipeline/claim-paced.server.ts), all one shop's to one network, sent as one
 * request: each still takes its own decision, and gets its own attempt row and its own state from its own part of
 * the answer, so one order the network refuses fails alone. Never throws for a delivery's own problems.
 */
export async function deliverBatch(ctx: DeliverContext, ds: readonly ClaimedDelivery[]): Promise<BatchOutcome> {
  const outcomes: DeliverOutcome[] = [];
  const unrecorded: AttemptNotRecorded[] = [];
  if (!ds.length) return { outcomes, unrecorded };
  let config: ShopConfig | null;
  try {
    config = await whileHeld(ctx, () => ctx.shopConfig(ds[0]!.shop));
  } catch (error) {
    const reason = new DatabaseUnavailable("could not read the shop's settings", error).message;
    for (const d of ds) outcomes.push(await retryLater(ctx, d, reason));
    return { outcomes, unrecorded };
  }
  let parts: ToSend[] = [];
  for (const d of ds) {
    const ready = await decideClaimed(ctx, d, config);
    if (typeof ready === "string") outcomes.push(ready);
    else parts.push(ready);
  }
  if (!parts.length) return { outcomes, unrecorded };
  const { connected } = parts[0]!;
  const combine = (some: ToSend[]) => (some.length === 1 ? some[0]!.request : connected.definition.combine!(some.map((part) => part.request)));
  let combined: NetworkRequest;
  try {
    if (parts.length > 1 && !connected.definition.combine) throw new Error(`${connected.definition.label} cannot combine requests`);
    combined = combine(parts);
  } catch {
    // They cannot share one request: the first goes now, the others go back to the queue for later requests.
    await releaseClaims(ctx.db, parts.slice(1).map((part) => part.d), ctx.now());
    parts = parts.slice(0, 1);
    combined = parts[0]!.request;
  }
  // As in deliverClaimed: the last moment to find out that a lease ran out, or that the shop uninstalled the app.
  const leases = await whileHeld(ctx, () => renewLeases(ctx.db, parts.map((part) => part.d), ctx.leaseMs, ctx.now()));
  for (const part of parts) {
    const lease = leases.get(part.d.id);
    if (lease !== "held") outcomes.push(lease === "stopped" ? "skipped" : "lost");
  }
  const held = parts.filter((part) => leases.get(part.d.id) === "held");
  if (!held.length) return { outcomes, unrecorded };
  if (held.length < parts.length) combined = combine(held);

  const startedAt = ctx.now();
  const result = await sendNetworkRequest(combined, { timeoutMs: ctx.requestTimeoutMs });
  const classifications =
    held.length === 1
      ? [await classifyAttempt(connected.definition, combined, result, { timeoutMs: ctx.requestTimeoutMs })]
      : classifyParts(connected.definition, combined, held.map((part) => part.request), result);
  // One deadline for the batch's records, so that the last of them is still within the lease (recordDurably).
  const deadline = Date.now() + Math.min(ctx.leaseMs / 4, 60_000);
  let rejected: string | null = null;
  let succeeded = false;
  for (const [i, part] of held.entries()) {
    const classification = classifications[i]!;
    metrics.attemptMade(part.d.network, classification.kind, result.durationMs);
    try {
      // Each attempt row logs its own order's request; the answer is the batch's.
      const record = attemptRecord(part.request, startedAt, result, classification, { credentialsVersion: connected.credentialsVersion, customer: part.customer });
      const outcome = await recordDurably(ctx, part.d, record, deadline);
      outcomes.push(outcome);
      succeeded ||= outcome === "succeeded";
      if (outcome === "paused" && classification.kind === "credentials_rejected") rejected = classification.reason;
    } catch (error) {
      if (!(error instanceof AttemptNotRecorded)) throw error;
      unrecorded.push(error);
    }
  }
  const { shop, network } = held[0]!.d;
  if (succeeded && connected.credentialsStatus !== "ok") await whileHeld(ctx, () => markCredentialsOk(ctx.db, shop, network, connected.credentialsVersion));
  if (rejected !== null) await whileHeld(ctx, () => markCredentialsRejected(ctx.db, shop, network, connected.credentialsVersion, rejected!));
  return { outcomes, unrecorded };
}

/** The network answered but its answer could not be written down: the delivery may be sent again after its lease. */
export class AttemptNotRecorded extends Error {
  constructor(
    readonly deliveryId: string,
    readonly network: string,
    readonly outcome: Classification["kind"],
    readonly tries: number,
    cause: unknown,
  ) {
    super(`the network answered (${outcome}) but the attempt could not be recorded after ${tries} tries: ${describeError(cause)}`);
    this.name = "AttemptNotRecorded";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Records an attempt that reached the network, retrying a failing database for a while with the answer kept in
 * memory: an unrecorded success stays in flight until its lease runs out and is then sent a second time. The
 * retries stop well within the lease (renewed just before sending; a request takes at most half of it), so a
 * late record can never land after another claim has taken the row.
 */
async function recordDurably(ctx: DeliverContext, d: ClaimedDelivery, a: AttemptRecord, deadline = Date.now() + Math.min(ctx.leaseMs / 4, 60_000)): Promise<DeliverOutcome> {
  for (let tries = 1, wait = 50; ; tries++, wait = Math.min(wait * 2, 5_000)) {
    try {
      return await recordAttempt(ctx, d, a);
    } catch (error) {
      if (Date.now() + wait > deadline) throw new AttemptNotRecorded(d.id, d.network, a.classification.kind, tries, error);
      await sleep(wait);
    }
  }
}

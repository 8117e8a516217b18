// Making one attempt at one claimed delivery: map the recorded order with the shop's current settings, send,
// classify, and record the attempt and the delivery's new state in one transaction.
import type { Db } from "../db/client.server.ts";
import { classifyTransportFailure, redactRequest, responseExcerpt, sendNetworkRequest } from "../networks/http.ts";
import type { Classification, Decision, NetworkRequest } from "../networks/types.ts";
import type { NormalizedOrder, NormalizedRefund } from "../orders/model.ts";
import { priceOrder, priceRefund } from "../orders/price.ts";
import { markCredentialsOk, markCredentialsRejected, type ShopConfig } from "../settings/store.server.ts";
import { CANCELLATION, CONVERSION, WAITING_FOR_CONVERSION } from "./model.ts";
import { pauseNetwork } from "./pause.server.ts";
import { describeError, KEYS_REJECTED } from "./plan.ts";
import { nextAttempt, type RetryPolicy } from "./retry-policy.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface DeliverContext {
  db: Db;
  owner: string;
  now: () => Date;
  random: () => number;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  shopConfig: (shop: string) => Promise<ShopConfig | null>;
}

export type DeliverOutcome = "succeeded" | "retry" | "failed" | "skipped" | "paused" | "waiting" | "lost";

const EXCERPT = 1000;

type Claimed = NonNullable<Awaited<ReturnType<typeof loadClaimed>>>;

function loadClaimed(db: Db, id: string) {
  return db.delivery.findUnique({ where: { id }, include: { order: { select: { payload: true } } } });
}

/** Finishes a delivery without sending: only while this worker still holds its lease. */
async function settle(ctx: DeliverContext, d: Claimed, status: "skipped" | "failed" | "paused" | "waiting", reason: string, extra: object = {}) {
  const now = ctx.now();
  await ctx.db.$transaction(async (tx) => {
    const updated = await tx.delivery.updateMany({
      where: { id: d.id, leaseOwner: ctx.owner, status: "in_flight" },
      data: {
        status,
        reason,
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: now,
        ...(status === "skipped" || status === "failed" ? { completedAt: now } : {}),
        ...extra,
      },
    });
    if (updated.count && d.kind === CONVERSION && status === "skipped") await skipWaitingReversals(tx, d, reason, now);
  });
}

async function skipWaitingReversals(tx: Tx, d: Claimed, reason: string, now: Date) {
  await tx.delivery.updateMany({
    where: { shop: d.shop, orderId: d.orderId, network: d.network, status: "waiting" },
    data: { status: "skipped", reason: `the order was never sent (${reason}), so there is nothing to reverse`, completedAt: now, updatedAt: now },
  });
}

interface Prepared {
  decision: Decision;
}

async function prepare(ctx: DeliverContext, d: Claimed, config: ShopConfig, connected: ShopConfig["networks"][number]): Promise<Prepared | { wait: string } | { skip: string }> {
  const order = JSON.parse(d.order.payload) as NormalizedOrder;
  const priced = priceOrder(order, config.currencyMode);
  const base = { sendTestOrders: config.sendTestOrders };
  if (d.kind === CONVERSION) {
    return { decision: connected.definition.mapConversion(priced, connected.settings, { ...base, externalRef: d.externalRef }) };
  }
  const conversion = await ctx.db.delivery.findUnique({
    where: { shop_orderId_network_kind: { shop: d.shop, orderId: d.orderId, network: d.network, kind: CONVERSION } },
    select: { status: true, reason: true, externalRef: true },
  });
  if (conversion?.status === "skipped") return { skip: `the order was never sent (${conversion.reason ?? "skipped"}), so there is nothing to reverse` };
  if (conversion?.status !== "succeeded") return { wait: WAITING_FOR_CONVERSION };
  const ctxWithRef = { ...base, externalRef: conversion.externalRef };
  if (d.kind === CANCELLATION) return { decision: connected.definition.mapCancellation(priced, connected.settings, ctxWithRef) };
  const refund = JSON.parse(d.payload ?? "null") as NormalizedRefund;
  return { decision: connected.definition.mapRefund(priced, priceRefund(refund, order, config.currencyMode), connected.settings, ctxWithRef) };
}

/** One attempt at a delivery this worker has claimed. Never throws for a delivery's own problems. */
export async function deliverClaimed(ctx: DeliverContext, id: string): Promise<DeliverOutcome> {
  const d = await loadClaimed(ctx.db, id);
  if (!d || d.status !== "in_flight" || d.leaseOwner !== ctx.owner) return "lost";

  const config = await ctx.shopConfig(d.shop);
  const connected = config?.networks.find((n) => n.definition.id === d.network);
  if (!config || !connected || !connected.enabled) {
    await settle(ctx, d, "skipped", "the network was switched off before this was sent");
    return "skipped";
  }
  if (connected.credentialsStatus === "rejected") {
    await settle(ctx, d, "paused", KEYS_REJECTED, { credentialsVersion: connected.credentialsVersion });
    return "paused";
  }

  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare(ctx, d, config, connected);
  } catch (error) {
    await settle(ctx, d, "failed", `could not prepare the request: ${describeError(error)}`);
    return "failed";
  }
  if ("wait" in prepared) {
    await settle(ctx, d, "waiting", prepared.wait);
    return "waiting";
  }
  if ("skip" in prepared) {
    await settle(ctx, d, "skipped", prepared.skip);
    return "skipped";
  }
  if (prepared.decision.action === "skip") {
    await settle(ctx, d, "skipped", prepared.decision.reason);
    return "skipped";
  }

  const request = prepared.decision.request;
  const startedAt = ctx.now();
  const result = await sendNetworkRequest(request, { timeoutMs: ctx.requestTimeoutMs });
  const classification: Classification = result.ok ? connected.definition.classify(result.response, request) : classifyTransportFailure(result);
  const outcome = await record(ctx, d, {
    request,
    startedAt,
    durationMs: Math.round(result.durationMs),
    httpStatus: result.ok ? result.response.status : null,
    responseExcerpt: result.ok ? responseExcerpt(result.response.body, EXCERPT) : null,
    error: result.ok ? null : describeError(result.error),
    classification,
    credentialsVersion: connected.credentialsVersion,
  });
  if (outcome === "succeeded" && connected.credentialsStatus !== "ok") {
    await markCredentialsOk(ctx.db, d.shop, d.network, connected.credentialsVersion);
  }
  if (outcome === "paused" && classification.kind === "credentials_rejected") {
    await markCredentialsRejected(ctx.db, d.shop, d.network, connected.credentialsVersion, classification.reason);
  }
  return outcome;
}

interface AttemptRecord {
  request: NetworkRequest;
  startedAt: Date;
  durationMs: number;
  httpStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  classification: Classification;
  credentialsVersion: number;
}

async function record(ctx: DeliverContext, d: Claimed, a: AttemptRecord): Promise<DeliverOutcome> {
  const now = ctx.now();
  const attempts = d.attempts + 1;
  const firstAttemptAt = d.firstAttemptAt ?? a.startedAt;
  const common = { attempts, firstAttemptAt, lastStatus: a.httpStatus, leaseOwner: null, leaseExpiresAt: null, updatedAt: now, credentialsVersion: a.credentialsVersion };
  const c = a.classification;
  let outcome: DeliverOutcome;
  let data: Record<string, unknown>;
  switch (c.kind) {
    case "success":
      outcome = "succeeded";
      data = { ...common, status: "succeeded", reason: c.note ?? null, lastError: null, completedAt: now, externalRef: c.externalRef ?? d.externalRef };
      break;
    case "retry": {
      const next = nextAttempt(ctx.retry, { failedAttempts: attempts, firstAttemptAt, now, retryAfterMs: c.retryAfterMs, random: ctx.random });
      outcome = next.retry ? "retry" : "failed";
      data = next.retry
        ? { ...common, status: "pending", nextAttemptAt: next.at, lastError: c.reason, reason: `retrying: ${c.reason}` }
        : { ...common, status: "failed", lastError: c.reason, reason: `${next.reason}: ${c.reason}`, completedAt: now };
      break;
    }
    case "permanent":
      outcome = "failed";
      data = { ...common, status: "failed", lastError: c.reason, reason: c.reason, completedAt: now };
      break;
    case "credentials_rejected":
      outcome = "paused";
      data = { ...common, status: "paused", lastError: c.reason, reason: `${KEYS_REJECTED} (${c.reason})` };
      break;
  }
  const lost = await ctx.db.$transaction(async (tx) => {
    await tx.deliveryAttempt.create({
      data: {
        deliveryId: d.id,
        shop: d.shop,
        startedAt: a.startedAt,
        durationMs: a.durationMs,
        request: JSON.stringify(redactRequest(a.request)),
        httpStatus: a.httpStatus,
        outcome: c.kind,
        responseExcerpt: a.responseExcerpt,
        error: a.error ?? (c.kind === "success" ? null : c.reason),
      },
    });
    const updated = await tx.delivery.updateMany({ where: { id: d.id, leaseOwner: ctx.owner, status: "in_flight" }, data });
    if (!updated.count) return true;
    if (outcome === "succeeded" && d.kind === CONVERSION) {
      // The reversals that were waiting for this conversion can go now.
      await tx.delivery.updateMany({
        where: { shop: d.shop, orderId: d.orderId, network: d.network, status: "waiting" },
        data: { status: "pending", reason: null, nextAttemptAt: now, updatedAt: now },
      });
    }
    if (outcome === "paused") await pauseNetwork(tx, d.shop, d.network, a.credentialsVersion, now);
    return false;
  });
  return lost ? "lost" : outcome;
}

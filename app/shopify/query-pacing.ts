// Admin GraphQL calls paced by Shopify's cost bucket, and capped: Shopify takes a query's requested cost from a
// bucket that refills at `restoreRate` points a second, and answers THROTTLED while the bucket holds less. Every
// answer reports the bucket (extensions.cost.throttleStatus), so before sending a document again this waits until
// the bucket has refilled to what that document cost last time; a THROTTLED answer is waited out and sent again.
// A budget caps the points one job may spend: past it, the next call fails with CostBudgetExhausted.
import { AdminApiError, type AdminGraphql, type QueryCost } from "./admin-graphql.server.ts";

export class CostBudgetExhausted extends Error {
  constructor(
    readonly spent: number,
    readonly budget: number,
  ) {
    super(`stopped after ${spent} of its ${budget} Admin API cost points`);
    this.name = "CostBudgetExhausted";
  }
}

export interface PacingOptions {
  /** Points this client may spend in all (what Shopify charged, else what was requested). */
  budget: number;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds, for the bucket's refill; tests pass the same controlled clock their sleep advances. */
  clock?: () => number;
  /** THROTTLED answers to wait out for one call before giving up. */
  maxThrottledRetries?: number;
}

export interface PacedAdminGraphql {
  graphql: AdminGraphql;
  spent(): number;
  /** Milliseconds spent waiting for the bucket. */
  waited(): number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// Without a throttleStatus (an HTTP 429 with no Retry-After), wait this long before sending again.
const FALLBACK_WAIT_MS = 1_000;

export function pacedAdminGraphql(graphql: AdminGraphql, options: PacingOptions): PacedAdminGraphql {
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? Date.now;
  const maxRetries = options.maxThrottledRetries ?? 10;
  const lastCost = new Map<string, number>();
  let bucket: { available: number; maximum: number; restoreRate: number; at: number } | null = null;
  let spent = 0;
  let waited = 0;

  const wait = async (ms: number) => {
    const rounded = Math.max(1, Math.ceil(ms));
    waited += rounded;
    await sleep(rounded);
  };
  const observe = (cost: QueryCost, document: string) => {
    lastCost.set(document, cost.requestedQueryCost);
    const status = cost.throttleStatus;
    bucket = { available: status.currentlyAvailable, maximum: status.maximumAvailable, restoreRate: status.restoreRate, at: clock() };
  };
  // How long until the bucket holds `need` points (never more than it can hold).
  const refillMs = (need: number) => {
    if (!bucket || bucket.restoreRate <= 0) return 0;
    const now = Math.min(bucket.maximum, bucket.available + ((clock() - bucket.at) / 1000) * bucket.restoreRate);
    const target = Math.min(need, bucket.maximum);
    return now >= target ? 0 : ((target - now) / bucket.restoreRate) * 1000;
  };

  const paced: AdminGraphql = async <T>(document: string, variables?: Record<string, unknown>) => {
    for (let throttled = 0; ; throttled++) {
      const expected = lastCost.get(document) ?? 0;
      if (spent >= options.budget || spent + expected > options.budget) throw new CostBudgetExhausted(spent, options.budget);
      const ms = refillMs(expected);
      if (ms > 0) await wait(ms);
      try {
        const result = await graphql<T>(document, variables);
        if (result.cost) {
          observe(result.cost, document);
          spent += result.cost.actualQueryCost ?? result.cost.requestedQueryCost;
        }
        return result;
      } catch (error) {
        if (!(error instanceof AdminApiError) || !error.throttled || throttled >= maxRetries) throw error;
        // Nothing was charged. With the bucket's state, the wait above covers the refill on the next turn.
        if (error.details.cost) observe(error.details.cost, document);
        // Another client of the same bucket may have taken what it reported: then wait a little anyway.
        if (!error.details.cost || refillMs(error.details.cost.requestedQueryCost) === 0) await wait(error.details.retryAfterMs ?? FALLBACK_WAIT_MS);
      }
    }
  };
  return { graphql: paced, spent: () => spent, waited: () => waited };
}

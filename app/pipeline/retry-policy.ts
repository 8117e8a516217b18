// When to try a delivery again. Jittered exponential backoff ("equal jitter": half the step fixed, half random,
// so retries from many deliveries spread out without any of them coming back too early), for about three days
// from the first attempt. A network's Retry-After can only lengthen a wait, never shorten it: "Retry-After: 0" or
// a date in the past would otherwise mean a retry on every poll for three days.

export interface RetryPolicy {
  /** First retry delay. */
  baseMs: number;
  /** No single wait is longer than this. */
  capMs: number;
  /** Give up once the next attempt would fall later than this after the first attempt. */
  windowMs: number;
  /** A Retry-After longer than this is treated as this (a network asking for a week is not waited on). */
  maxRetryAfterMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 30_000, capMs: 6 * HOUR, windowMs: 72 * HOUR, maxRetryAfterMs: 6 * HOUR };

/** The exponential step for the attempt that just failed (1 = the first attempt). */
export function backoffMs(policy: RetryPolicy, failedAttempts: number, random: () => number): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 40);
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}

export type RetryDecision = { retry: true; at: Date } | { retry: false; reason: string };

export function nextAttempt(
  policy: RetryPolicy,
  args: { failedAttempts: number; firstAttemptAt: Date; now: Date; retryAfterMs?: number; random: () => number },
): RetryDecision {
  const backoff = backoffMs(policy, args.failedAttempts, args.random);
  const asked = args.retryAfterMs !== undefined && args.retryAfterMs > 0 ? Math.min(args.retryAfterMs, policy.maxRetryAfterMs) : 0;
  const wait = Math.max(asked, backoff);
  const at = new Date(args.now.getTime() + wait);
  if (at.getTime() - args.firstAttemptAt.getTime() > policy.windowMs) {
    const hours = Math.round(policy.windowMs / HOUR);
    return { retry: false, reason: `gave up after ${args.failedAttempts} attempts over ${hours} hours` };
  }
  return { retry: true, at };
}

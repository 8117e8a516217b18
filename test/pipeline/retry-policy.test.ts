// The retry schedule, computed with a controlled clock and controlled randomness.
import { describe, expect, it } from "vitest";
import { backoffMs, DEFAULT_RETRY_POLICY, nextAttempt } from "../../app/pipeline/retry-policy.ts";

const HOUR = 3_600_000;
const policy = DEFAULT_RETRY_POLICY;

function schedule(random: () => number) {
  const first = new Date();
  let now = first;
  const waits: number[] = [];
  for (let failed = 1; failed < 200; failed++) {
    const next = nextAttempt(policy, { failedAttempts: failed, firstAttemptAt: first, now, random });
    if (!next.retry) return { waits, gaveUpAfter: failed, reason: next.reason, span: now.getTime() - first.getTime() };
    waits.push(next.at.getTime() - now.getTime());
    now = next.at;
  }
  throw new Error("never gave up");
}

describe("retry policy", () => {
  it("backs off exponentially from 30 s, capped at 6 h, with at most half of each step random", () => {
    expect(backoffMs(policy, 1, () => 0)).toBe(15_000);
    expect(backoffMs(policy, 1, () => 1)).toBe(30_000);
    expect(backoffMs(policy, 2, () => 1)).toBe(60_000);
    expect(backoffMs(policy, 5, () => 1)).toBe(480_000);
    expect(backoffMs(policy, 30, () => 1)).toBe(6 * HOUR);
    expect(backoffMs(policy, 30, () => 0)).toBe(3 * HOUR);
  });

  it("keeps retrying for about three days, then gives up with a reason", () => {
    for (const random of [() => 0, () => 0.5, () => 1]) {
      const run = schedule(random);
      // Every wait at least as long as the one before it until the cap: no retry storm.
      for (let i = 1; i < run.waits.length; i++) expect(run.waits[i]!).toBeGreaterThanOrEqual(Math.min(run.waits[i - 1]!, 3 * HOUR));
      expect(run.span).toBeGreaterThan(66 * HOUR);
      expect(run.span).toBeLessThanOrEqual(72 * HOUR);
      expect(run.reason).toMatch(/gave up after \d+ attempts over 72 hours/);
    }
    const fast = schedule(() => 0);
    const slow = schedule(() => 1);
    expect(fast.gaveUpAfter).toBeGreaterThan(slow.gaveUpAfter);
    expect(slow.gaveUpAfter).toBeGreaterThanOrEqual(18);
  });

  it("honours a Retry-After longer than the backoff, up to a cap", () => {
    const now = new Date();
    const first = new Date(now.getTime() - HOUR);
    const asked = nextAttempt(policy, { failedAttempts: 2, firstAttemptAt: first, now, retryAfterMs: 600_000, random: () => 1 });
    expect(asked).toEqual({ retry: true, at: new Date(now.getTime() + 600_000) });
    const week = nextAttempt(policy, { failedAttempts: 1, firstAttemptAt: first, now, retryAfterMs: 7 * 24 * HOUR, random: () => 1 });
    expect(week).toEqual({ retry: true, at: new Date(now.getTime() + 6 * HOUR) });
  });

  it("never waits less than the backoff, whatever Retry-After says (0, a past date, a few seconds)", () => {
    const now = new Date();
    const first = new Date(now.getTime() - HOUR);
    for (const retryAfterMs of [0, -60_000, 7_000]) {
      const next = nextAttempt(policy, { failedAttempts: 9, firstAttemptAt: first, now, retryAfterMs, random: () => 1 });
      expect(next).toEqual({ retry: true, at: new Date(now.getTime() + backoffMs(policy, 9, () => 1)) });
    }
    // A network answering "Retry-After: 0" every time still runs out of retries after about three days, not hundreds.
    let clock = first;
    let failed = 0;
    for (;;) {
      const next = nextAttempt(policy, { failedAttempts: ++failed, firstAttemptAt: first, now: clock, retryAfterMs: 0, random: () => 0.5 });
      if (!next.retry) break;
      clock = next.at;
    }
    expect(failed).toBeLessThan(40);
    expect(clock.getTime() - first.getTime()).toBeGreaterThan(66 * HOUR);
  });
});

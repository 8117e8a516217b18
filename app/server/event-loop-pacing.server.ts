// How much of its concurrency the in-process delivery worker may use, read from the event loop's delay. The
// serving process answers Shopify and delivers on one event loop: during a flash sale the deliveries' own CPU
// (claims, requests, recording attempts) would make every webhook wait behind them, and Shopify's answer cannot
// wait while a delivery can (it stays in the outbox and is sent later). So the worker's share shrinks while the
// loop lags and grows back once it answers promptly again (app/pipeline/worker.server.ts, `share`).
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface PacingOptions {
  /** Below this delay (ms, the window's 90th percentile) the share grows back. */
  easyMs?: number;
  /** Above this delay the share halves. */
  busyMs?: number;
  /** The share never goes below this, so deliveries keep moving a little even in the busiest minute. */
  minShare?: number;
  /** How much the share grows per calm window. */
  step?: number;
}

export interface Pacer {
  /** The worker's share now, 0..1. */
  share(): number;
  /** Takes one window's delay reading (ms) into account. */
  observe(delayMs: number): void;
}

/** The controller alone: multiplicative decrease while the loop lags, additive increase while it is calm. */
export function createPacer(options: PacingOptions = {}): Pacer {
  const easyMs = options.easyMs ?? 20;
  const busyMs = options.busyMs ?? 40;
  const minShare = options.minShare ?? 0.05;
  const step = options.step ?? 0.1;
  let share = 1;
  return {
    share: () => share,
    observe(delayMs) {
      if (delayMs > busyMs) share = Math.max(minShare, share / 2);
      else if (delayMs < easyMs) share = Math.min(1, share + step);
    },
  };
}

export interface EventLoopPacing {
  share(): number;
  stop(): void;
}

/** The pacer fed by this process's event-loop delay, one reading per `windowMs`. */
export function startEventLoopPacing(options: PacingOptions & { windowMs?: number } = {}): EventLoopPacing {
  const pacer = createPacer(options);
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    // Nanoseconds; an empty window (no sample yet) reads 0.
    pacer.observe(histogram.percentile(90) / 1e6);
    histogram.reset();
  }, options.windowMs ?? 250);
  timer.unref();
  return {
    share: pacer.share,
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

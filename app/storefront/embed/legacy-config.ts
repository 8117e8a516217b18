// The storefront configuration's format 1 (app/storefront/config.ts, STOREFRONT_CONFIG_VERSION), still in the
// metafield of shops synced before the capture table until the worker re-syncs them: a fixed block per network of
// that time, `{enabled, cookieDays}`, and Refersion's `{enabled, publicKey}`. Read here so that those shops keep
// capturing clicks meanwhile. Format 1 is frozen: the networks it knew are named here, and no other will be.
import { flexoffersCapture } from "../../networks/flexoffers/storefront.ts";
import { retrackCapture } from "../../networks/retrack/storefront.ts";
import type { StorefrontCapture } from "../../networks/types.ts";
import type { StorefrontCaptureConfig, StorefrontConfig } from "../config.ts";

const FORMAT_1_CAPTURES: ReadonlyArray<readonly [string, StorefrontCapture]> = [
  ["retrack", retrackCapture],
  ["flexoffers", flexoffersCapture],
];

type Block = { enabled?: unknown; cookieDays?: unknown; publicKey?: unknown } | null | undefined;
/** What the script may find in the metafield: the current format, or format 1. */
export type AnyStorefrontConfig = Partial<StorefrontConfig> & { [key: string]: unknown };

/** The captures to run: the configuration's own table, or format 1's blocks read as one. */
export function capturesOf(config: AnyStorefrontConfig): StorefrontCaptureConfig[] {
  if (Array.isArray(config.captures)) return config.captures;
  const captures: StorefrontCaptureConfig[] = [];
  for (const [key, capture] of FORMAT_1_CAPTURES) {
    const block = config[key] as Block;
    if (!block || block.enabled !== true) continue;
    const days = "fixed" in capture.days ? capture.days.fixed : capture.days.default;
    captures.push({
      param: capture.param,
      pattern: capture.pattern,
      cookie: capture.cookie,
      days: typeof block.cookieDays == "number" && block.cookieDays >= 1 ? block.cookieDays : days,
      attribute: capture.cartAttribute,
      ...(capture.redirectParam ? { redirect: capture.redirectParam } : {}),
    });
  }
  return captures;
}

/** Refersion's public key while Refersion is on (format 1 kept a block with `enabled: false` for it), or null. */
export function refersionKeyOf(config: AnyStorefrontConfig): string | null {
  const block = config.refersion as Block;
  if (!block || block.enabled === false || typeof block.publicKey != "string") return null;
  return block.publicKey || null;
}

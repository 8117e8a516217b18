// What the storefront script needs to know about a shop, derived from its settings file and the registry. It is
// written to an app-data metafield and rendered into every storefront page, so it holds nothing secret: whether
// consent gating applies, Refersion's public key when Refersion is on, and one capture per other network that is
// on (its declaration in app/networks/<id>/storefront.ts, with the cookie window resolved). A network that is off
// is simply absent, so the script does no work for it.
import { z } from "zod";
import { networks } from "../networks/registry.ts";
import { refersion } from "../networks/refersion/index.ts";
import type { RefersionSettings } from "../networks/refersion/settings.ts";
import type { StorefrontCapture } from "../networks/types.ts";
import { oneLineZodError } from "../orders/zod-error.ts";

/**
 * The configuration's format. 1 (never written as such) had one fixed block per network, `{enabled, cookieDays}`;
 * the capture table came without a number; 2 is the first numbered one. Shops whose metafield was written in an
 * older format are re-synced by the worker (app/storefront/resync.server.ts); until then the storefront script
 * still reads format 1 (app/storefront/embed/legacy-config.ts). Bump it whenever the format changes.
 */
export const STOREFRONT_CONFIG_VERSION = 2;

/** The metafield the theme app extension reads as `app.metafields.affiliate_relay.config`. */
export const STOREFRONT_METAFIELD = { namespace: "affiliate_relay", key: "config", type: "json" } as const;

const cookieDays = z.number().int().min(1, "must be at least 1 day").max(365, "must be at most 365 days");
// Everything below is rendered inside a <script> element on every page and used in cookie strings and a RegExp
// by the script: narrow alphabets keep markup and separators out.
const urlParam = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be a URL parameter name (letters, digits, _ . -)");
const cookieName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a cookie name (letters, digits, _ -)");
const attributeName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a cart attribute name (letters, digits, _ -)");
const pattern = z
  .string()
  .min(1)
  .max(256)
  .refine((source) => !source.includes("<"), "must not contain <")
  .refine((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, "must be a valid regular expression");

/** One network's capture as the script reads it (app/storefront/embed/affiliate-relay.ts). */
export const storefrontCaptureSchema = z.strictObject({
  param: urlParam,
  /** RegExp source the whole value must match. */
  pattern,
  cookie: cookieName,
  days: cookieDays,
  attribute: attributeName,
  redirect: urlParam.optional(),
});

export const storefrontConfigSchema = z.strictObject({
  version: z.literal(STOREFRONT_CONFIG_VERSION),
  consentGating: z.boolean(),
  /** Present only while Refersion is on. */
  refersion: z
    .strictObject({
      publicKey: z
        .string()
        .min(1, "a public key is needed when Refersion is on")
        .regex(/^[A-Za-z0-9_-]{0,128}$/, "must be Refersion's public key (letters, digits, _ and -)"),
    })
    .optional(),
  captures: z.array(storefrontCaptureSchema).max(32),
});

export type StorefrontConfig = z.infer<typeof storefrontConfigSchema>;
export type StorefrontCaptureConfig = z.infer<typeof storefrontCaptureSchema>;

/**
 * The part of the settings file (app/settings/file-schema.ts) that the storefront reads. Only the fields named here
 * and each capture's cookie-window setting are ever read, so secrets in the file cannot reach the page.
 */
export interface StorefrontSettingsSource {
  consentGating?: boolean;
  networks: { readonly [id: string]: unknown };
}

export class StorefrontConfigError extends Error {}

type Block = { enabled?: unknown } & Record<string, unknown>;

function enabledBlock(settings: StorefrontSettingsSource, id: string): Block | null {
  const block = settings.networks[id];
  return typeof block === "object" && block !== null && (block as Block).enabled === true ? (block as Block) : null;
}

/** The capture's cookie window: the network's fixed one, or the merchant's setting (its default when unset). */
export function captureDays(capture: StorefrontCapture, block: Block): number {
  if ("fixed" in capture.days) return capture.days.fixed;
  const value = block[capture.days.setting];
  return value === undefined || value === null ? capture.days.default : (value as number);
}

export function captureConfig(capture: StorefrontCapture, block: Block): StorefrontCaptureConfig {
  return {
    param: capture.param,
    pattern: capture.pattern,
    cookie: capture.cookie,
    days: captureDays(capture, block),
    attribute: capture.cartAttribute,
    ...(capture.redirectParam ? { redirect: capture.redirectParam } : {}),
  };
}

export function storefrontConfigFromSettings(settings: StorefrontSettingsSource): StorefrontConfig {
  const captures: StorefrontCaptureConfig[] = [];
  for (const network of networks) {
    const block = network.storefront && enabledBlock(settings, network.id);
    if (block) captures.push(captureConfig(network.storefront!, block));
  }
  const refersionBlock = enabledBlock(settings, refersion.id) as Partial<RefersionSettings> | null;
  const candidate = {
    version: STOREFRONT_CONFIG_VERSION,
    consentGating: settings.consentGating ?? true,
    ...(refersionBlock ? { refersion: { publicKey: String(refersionBlock.publicKey ?? "").trim() } } : {}),
    captures,
  };
  return parseStorefrontConfig(candidate);
}

export function parseStorefrontConfig(value: unknown): StorefrontConfig {
  const parsed = storefrontConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new StorefrontConfigError(`storefront configuration is invalid: ${oneLineZodError(parsed.error)}`);
  }
  return parsed.data;
}

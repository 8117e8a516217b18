// What the storefront script needs to know about a shop, derived from its settings file. It is written to an
// app-data metafield and rendered into every storefront page, so it holds nothing secret: only which networks are
// on, Refersion's public key, cookie windows and whether consent gating applies.
import { z } from "zod";
import { oneLineZodError } from "../orders/zod-error.ts";

/** Retrack's click window is fixed by the network, not by the merchant. */
export const RETRACK_COOKIE_DAYS = 10;
export const DEFAULT_FLEXOFFERS_COOKIE_DAYS = 30;

/** The metafield the theme app extension reads as `app.metafields.affiliate_relay.config`. */
export const STOREFRONT_METAFIELD = { namespace: "affiliate_relay", key: "config", type: "json" } as const;

const cookieDays = z.number().int().min(1, "must be at least 1 day").max(365, "must be at most 365 days");

export const storefrontConfigSchema = z.strictObject({
  consentGating: z.boolean(),
  refersion: z
    .strictObject({
      enabled: z.boolean(),
      // Rendered inside a <script> element on every page: a narrow alphabet keeps markup out of it.
      publicKey: z.string().regex(/^[A-Za-z0-9_-]{0,128}$/, "must be Refersion's public key (letters, digits, _ and -)"),
    })
    .refine((r) => !r.enabled || r.publicKey.length > 0, { message: "a public key is needed when Refersion is on", path: ["publicKey"] }),
  retrack: z.strictObject({ enabled: z.boolean(), cookieDays }),
  flexoffers: z.strictObject({ enabled: z.boolean(), cookieDays }),
});

export type StorefrontConfig = z.infer<typeof storefrontConfigSchema>;

/**
 * The fields of the settings file (app/settings/file-schema.ts) that the storefront reads. Typed structurally so
 * that secrets present in the file (secretKey, apiToken) cannot leak: they are simply never read here.
 */
export interface StorefrontSettingsSource {
  consentGating?: boolean;
  networks: {
    refersion?: { enabled: boolean; publicKey: string };
    retrack?: { enabled: boolean };
    flexoffers?: { enabled: boolean; cookieDays?: number };
  };
}

export class StorefrontConfigError extends Error {}

export function storefrontConfigFromSettings(settings: StorefrontSettingsSource): StorefrontConfig {
  const { refersion, retrack, flexoffers } = settings.networks;
  const candidate: StorefrontConfig = {
    consentGating: settings.consentGating ?? true,
    refersion: { enabled: refersion?.enabled ?? false, publicKey: refersion?.enabled ? refersion.publicKey.trim() : "" },
    retrack: { enabled: retrack?.enabled ?? false, cookieDays: RETRACK_COOKIE_DAYS },
    flexoffers: { enabled: flexoffers?.enabled ?? false, cookieDays: flexoffers?.cookieDays ?? DEFAULT_FLEXOFFERS_COOKIE_DAYS },
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

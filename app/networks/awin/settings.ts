import { z } from "zod";
import { credential, enabledFlag, requireWhenEnabled } from "../shared/settings.ts";

/** Awin's own name for "no particular commission group" (README.md: commission groups). */
export const AWIN_DEFAULT_COMMISSION_GROUP = "DEFAULT";
export const AWIN_DEFAULT_COOKIE_DAYS = 30;

export const awinSettingsSchema = z
  .object({
    enabled: enabledFlag,
    advertiserId: z
      .string({ error: "must be text" })
      .trim()
      .regex(/^\d*$/, { error: "must be your Awin advertiser id, digits only (like 1001): the number in the address of Awin's pages once your program is open" })
      .default(""),
    apiKey: credential,
    commissionGroup: z
      .string({ error: "must be text (leave it empty to use Awin's DEFAULT commission group)" })
      .trim()
      // The code travels inside Awin's "CODE:amount|CODE:amount" notation elsewhere, so ":" and "|" cannot be part of it.
      .regex(/^[^\s:|]*$/, { error: "must be a commission group code exactly as Awin shows it, without spaces, \":\" or \"|\"" })
      .max(64, { error: "must be at most 64 characters" })
      .default(""),
    cookieDays: z
      .number({ error: "must be a whole number of days" })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(365, "must be at most 365 days")
      .default(AWIN_DEFAULT_COOKIE_DAYS),
  })
  .superRefine(
    requireWhenEnabled("Awin", [
      { field: "advertiserId", name: "advertiser id", where: "the address of Awin's pages once your program is open" },
      { field: "apiKey", name: "API key", where: "Awin: your user menu, then API Credentials" },
    ]),
  );

export type AwinSettings = z.infer<typeof awinSettingsSchema>;

/** The commission group every sale is reported under: the merchant's, else Awin's DEFAULT. */
export function commissionGroupCode(settings: Pick<AwinSettings, "commissionGroup">): string {
  return settings.commissionGroup || AWIN_DEFAULT_COMMISSION_GROUP;
}

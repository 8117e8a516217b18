import { z } from "zod";
import { credential, enabledFlag, requireWhenEnabled } from "../shared/settings.ts";
import { FLEXOFFERS_DEFAULT_COOKIE_DAYS } from "./storefront.ts";

export const flexoffersSettingsSchema = z
  .object({
    enabled: enabledFlag,
    advertiserId: credential,
    commissionId: z.string({ error: "must be text (leave it empty unless FlexOffers gave you one)" }).trim().default(""),
    cookieDays: z
      .number({ error: "must be a whole number of days" })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(365, "must be at most 365 days")
      .default(FLEXOFFERS_DEFAULT_COOKIE_DAYS),
  })
  .superRefine(
    requireWhenEnabled("FlexOffers", [
      { field: "advertiserId", name: "advertiser id", where: "the postback URL FlexOffers gave you (its advertiserid parameter)" },
    ]),
  );

export type FlexoffersSettings = z.infer<typeof flexoffersSettingsSchema>;

import type { NetworkDefinition } from "../types.ts";
import { flexoffersPostbackEndpoint } from "./endpoints.ts";
import { checkFlexoffersCredentials } from "./check.ts";
import { classifyFlexoffers } from "./classify.ts";
import { mapFlexoffersConversion } from "./map-conversion.ts";
import { flexoffersCapture } from "./storefront.ts";
import { flexoffersSettingsSchema, type FlexoffersSettings } from "./settings.ts";

const NO_REVERSAL = "FlexOffers has no way to reverse or reduce a reported sale: adjust it in the FlexOffers dashboard";

export const flexoffers: NetworkDefinition<FlexoffersSettings, "flexoffers"> = {
  id: "flexoffers",
  label: "FlexOffers",
  storefront: flexoffersCapture,
  endpoints: [flexoffersPostbackEndpoint],
  fields: [
    { key: "advertiserId", label: "Advertiser id", help: "the advertiserid parameter of the postback URL FlexOffers gave you", secret: false, input: "text", required: true },
    { key: "commissionId", label: "Commission id", help: "leave empty unless FlexOffers gave you one", secret: false, input: "text", required: false },
    { key: "cookieDays", label: "Click window (days)", help: "how long a FlexOffers click counts, 1 to 365 days", secret: false, input: "number", required: false },
  ],
  checkCredentials: checkFlexoffersCredentials,
  settingsSchema: flexoffersSettingsSchema,
  placeholderSettings: { enabled: true, advertiserId: "PLACEHOLDER-ADVERTISER-ID", commissionId: "", cookieDays: 30 },
  reversal: { supported: false, reason: NO_REVERSAL },
  mapConversion: mapFlexoffersConversion,
  mapCancellation: () => ({ action: "skip", reason: NO_REVERSAL }),
  mapRefund: () => ({ action: "skip", reason: NO_REVERSAL }),
  classify: classifyFlexoffers,
};

import type { NetworkDefinition } from "../types.ts";
import { AWC_PATTERN, AWIN_AWC_ATTRIBUTE, AWIN_AWC_COOKIE, AWIN_CLICK_PARAM } from "./attribution.ts";
import { AWIN_BATCH_SIZE, combineAwinRequests } from "./batch.ts";
import { checkAwinCredentials } from "./check-credentials.ts";
import { classifyAwin, classifyAwinEach } from "./classify.ts";
import { awinApiEndpoint } from "./endpoints.ts";
import { mapAwinConversion } from "./map-conversion.ts";
import { AWIN_DEFAULT_COOKIE_DAYS, awinSettingsSchema, type AwinSettings } from "./settings.ts";

/**
 * Awin's Transaction Validation API finds a sale by Awin's transaction id or by its exact transaction date, and the
 * Conversion API gives the relay neither (README.md, "Reversals"), so the merchant validates in Awin.
 */
export const AWIN_NO_REVERSAL =
  "Awin's Transaction Validation API needs Awin's own transaction id or exact transaction date, which the Conversion API does not return, " +
  "so the relay cannot reverse this sale: in Awin, open Commission > Validate > Validate Pending Transactions, search the order reference, " +
  "and decline it (cancelled order) or amend its sale amount (partly refunded) before the program's validation period ends";

/** Awin allows 20 API calls a minute per user (README.md); its Conversion API takes up to 1,000 orders a call. */
export const AWIN_RATE_LIMIT = { requests: 20, perMs: 60_000 } as const;

export const awin: NetworkDefinition<AwinSettings, "awin"> = {
  id: "awin",
  label: "Awin",
  storefront: {
    param: AWIN_CLICK_PARAM,
    pattern: AWC_PATTERN.source,
    cookie: AWIN_AWC_COOKIE,
    cartAttribute: AWIN_AWC_ATTRIBUTE,
    days: { setting: "cookieDays", default: AWIN_DEFAULT_COOKIE_DAYS },
    // The shape of the awc values Awin's links carry (README.md, "Clicks").
    example: "1001_1700000000_0123456789abcdef0123456789abcdef",
  },
  endpoints: [awinApiEndpoint],
  pacing: { rateLimit: AWIN_RATE_LIMIT, batchSize: AWIN_BATCH_SIZE },
  fields: [
    { key: "advertiserId", label: "Advertiser id", help: "your program's number in Awin, the one in the address of Awin's pages once your program is open", secret: false, input: "text", required: true },
    { key: "apiKey", label: "API key", help: "Awin: your user menu, then API Credentials (the same token the Conversion API takes)", secret: true, input: "text", required: true },
    { key: "commissionGroup", label: "Commission group", help: "a commission group code from Awin's Commission Management; leave empty for DEFAULT", secret: false, input: "text", required: false },
    { key: "cookieDays", label: "Click window (days)", help: "how long an Awin click counts, 1 to 365 days (your program's cookie period)", secret: false, input: "number", required: false },
  ],
  checkCredentials: checkAwinCredentials,
  settingsSchema: awinSettingsSchema,
  placeholderSettings: { enabled: true, advertiserId: "1001", apiKey: "PLACEHOLDER-AWIN-API-TOKEN", commissionGroup: "", cookieDays: AWIN_DEFAULT_COOKIE_DAYS },
  reversal: { supported: false, reason: AWIN_NO_REVERSAL },
  mapConversion: mapAwinConversion,
  mapCancellation: () => ({ action: "skip", reason: AWIN_NO_REVERSAL }),
  mapRefund: () => ({ action: "skip", reason: AWIN_NO_REVERSAL }),
  classify: classifyAwin,
  combine: (requests) => combineAwinRequests(requests),
  classifyEach: classifyAwinEach,
};

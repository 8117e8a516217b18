import type { NetworkDefinition } from "../types.ts";
import { retrackApiEndpoint } from "./endpoints.ts";
import { checkRetrackCredentials } from "./check.ts";
import { classifyRetrack } from "./classify.ts";
import { mapRetrackConversion } from "./map-conversion.ts";
import { mapRetrackCancellation, mapRetrackRefund } from "./map-reversal.ts";
import { recoverDuplicateCreate } from "./recover-duplicate.ts";
import { retrackCapture } from "./storefront.ts";
import { retrackSettingsSchema, type RetrackSettings } from "./settings.ts";

export const retrack: NetworkDefinition<RetrackSettings, "retrack"> = {
  id: "retrack",
  label: "Retrack",
  storefront: retrackCapture,
  endpoints: [retrackApiEndpoint],
  fields: [
    { key: "apiToken", label: "API token", help: "Retrack: click your avatar, then Profile", secret: true, input: "text", required: true },
    { key: "eventId", label: "Event id", help: "Retrack: your program's Events (a UUID)", secret: false, input: "text", required: true },
  ],
  checkCredentials: checkRetrackCredentials,
  settingsSchema: retrackSettingsSchema,
  placeholderSettings: { enabled: true, apiToken: "PLACEHOLDER-API-TOKEN", eventId: "00000000-0000-4000-8000-000000000000" },
  reversal: { supported: true },
  mapConversion: mapRetrackConversion,
  mapCancellation: mapRetrackCancellation,
  mapRefund: mapRetrackRefund,
  classify: classifyRetrack,
  reconsider: recoverDuplicateCreate,
};

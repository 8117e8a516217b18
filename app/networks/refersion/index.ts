import type { NetworkDefinition } from "../types.ts";
import { refersionEndpoints } from "./endpoints.ts";
import { checkRefersionCredentials } from "./check.ts";
import { classifyRefersion } from "./classify.ts";
import { mapRefersionConversion } from "./map-conversion.ts";
import { mapRefersionCancellation, mapRefersionRefund } from "./map-reversal.ts";
import { refersionSettingsSchema, type RefersionSettings } from "./settings.ts";

export const refersion: NetworkDefinition<RefersionSettings, "refersion"> = {
  id: "refersion",
  label: "Refersion",
  endpoints: refersionEndpoints,
  fields: [
    { key: "publicKey", label: "Public key", help: "Refersion > Account > Settings > Refersion API", secret: false, input: "text", required: true },
    { key: "secretKey", label: "Secret key", help: "Refersion > Account > Settings > Refersion API", secret: true, input: "text", required: true },
  ],
  checkCredentials: checkRefersionCredentials,
  settingsSchema: refersionSettingsSchema,
  placeholderSettings: { enabled: true, publicKey: "pub_PLACEHOLDER", secretKey: "sec_PLACEHOLDER" },
  reversal: { supported: true },
  mapConversion: mapRefersionConversion,
  mapCancellation: mapRefersionCancellation,
  mapRefund: mapRefersionRefund,
  classify: classifyRefersion,
};

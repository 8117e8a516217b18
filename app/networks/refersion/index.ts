import type { NetworkDefinition } from "../types.ts";
import { refersionEndpoints } from "./endpoints.ts";
import { checkRefersionCredentials } from "./check.ts";
import { classifyRefersion } from "./classify.ts";
import { mapRefersionConversion } from "./map-conversion.ts";
import { mapRefersionCancellation, mapRefersionRefund } from "./map-reversal.ts";
import { refersionSettingsSchema, type RefersionSettings } from "./settings.ts";
import { REFERSION_CART_ATTRIBUTE, REFERSION_TRACKER_URL } from "./storefront.ts";

export const refersion: NetworkDefinition<RefersionSettings, "refersion"> = {
  id: "refersion",
  label: "Refersion",
  // The cart token the storefront script reported to Refersion's tracker, as Shopify's Ajax cart gives it.
  ownTracker: { script: REFERSION_TRACKER_URL, cartAttribute: REFERSION_CART_ATTRIBUTE, example: "hWN4c2ZkMTIzNDU2Nzg5MGFiY2Rl" },
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

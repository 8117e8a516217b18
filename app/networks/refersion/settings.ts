import { z } from "zod";
import { credential, enabledFlag, requireWhenEnabled } from "../shared/settings.ts";

const where = "Refersion > Account > Settings > Refersion API";

export const refersionSettingsSchema = z
  .object({ enabled: enabledFlag, publicKey: credential, secretKey: credential })
  .superRefine(
    requireWhenEnabled("Refersion", [
      { field: "publicKey", name: "public key", where },
      { field: "secretKey", name: "secret key", where },
    ]),
  );

export type RefersionSettings = z.infer<typeof refersionSettingsSchema>;

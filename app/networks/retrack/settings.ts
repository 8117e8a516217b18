import { z } from "zod";
import { UUID_PATTERN } from "../shared/attribution.ts";
import { credential, enabledFlag, requireWhenEnabled } from "../shared/settings.ts";

export const retrackSettingsSchema = z
  .object({
    enabled: enabledFlag,
    apiToken: credential,
    eventId: z
      .string({ error: "must be text" })
      .trim()
      .default("")
      .refine((value) => value === "" || UUID_PATTERN.test(value), {
        message: "must be the program event's UUID (like 1f80e399-6f55-4cef-b8b0-0f74752c1ceb), as shown in Retrack under Events",
      }),
  })
  .superRefine(
    requireWhenEnabled("Retrack", [
      { field: "apiToken", name: "API token", where: "Retrack: click your avatar, then Profile" },
      { field: "eventId", name: "event id", where: "Retrack: your program's Events" },
    ]),
  );

export type RetrackSettings = z.infer<typeof retrackSettingsSchema>;

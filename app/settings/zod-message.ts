import type { z } from "zod";

/** One line a merchant can act on: "networks.retrack.eventId: must be the event's UUID; currency: ...". */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

import type { z } from "zod";

/** A zod error as one line: "line_items.0.quantity: expected number; currency: expected a three-letter ISO 4217 code". */
export function oneLineZodError(error: z.ZodError, maxIssues = 3): string {
  const issues = error.issues.slice(0, maxIssues).map((issue) => {
    const where = issue.path.map(String).join(".");
    return where ? `${where}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length - maxIssues;
  return issues.join("; ") + (more > 0 ? `; and ${more} more` : "");
}

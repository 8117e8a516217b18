import type { Decision } from "../types.ts";

/** A mapper's skip; the rules every network shares (test orders among them) are in app/networks/decide.ts. */
export function skip(reason: string): Decision {
  return { action: "skip", reason };
}

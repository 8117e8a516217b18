// The home page's data, shared by app/admin/home.server.ts and app/routes/app._index/route.tsx.
import type { EmbedStatus } from "./app-embed.ts";

export type StepState = "done" | "todo" | "problem";

export interface ChecklistStep {
  id: "network" | "embed" | "first-order";
  title: string;
  state: StepState;
  /** What to do next, or what was done. */
  detail: string;
  action: { content: string; url: string; external?: boolean } | null;
}

export interface DaySeries {
  network: string;
  label: string;
  /** One count per day of `days`. */
  counts: number[];
}

export interface Home {
  checklist: ChecklistStep[];
  windowDays: number;
  days: string[];
  /** Orders delivered per network and day (sales only), for networks with any in the window or switched on. */
  relayed: DaySeries[];
  embed: EmbedStatus | null;
  /** Deliveries that need the merchant: failed for good (fix, then retry) or paused on rejected keys. */
  failures: Array<{ network: string; label: string; failed: number; paused: number }>;
}

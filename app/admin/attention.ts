// What needs the merchant, shown as a banner on every admin page (app/admin/ui/attention-banners.tsx) and listed
// on the home page. Shared by the server and the page: no server code here.
import type { EmbedStatus } from "./app-embed.ts";

export const SUCCESS_RATE_THRESHOLD = 0.95;
export const SUCCESS_RATE_WINDOW_HOURS = 24;

export interface Attention {
  /** Networks switched on whose keys the network rejected. */
  rejected: Array<{ network: string; label: string; error: string | null }>;
  /** Networks whose deliveries settled in the last 24 hours succeeded less than 95% of the time. */
  lowSuccess: Array<{ network: string; label: string; succeeded: number; failed: number; rate: number }>;
  /** The live theme's app embed, when it could be read; null when no network is switched on yet. */
  embed: EmbedStatus | null;
}

export const needsAttention = (attention: Attention) =>
  attention.rejected.length > 0 || attention.lowSuccess.length > 0 || attention.embed?.state === "off";

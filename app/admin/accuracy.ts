// The accuracy page's data, shared by app/admin/accuracy.server.ts and app/routes/app.accuracy.tsx.
export const ACCURACY_WINDOWS = [7, 30, 90] as const;
export type AccuracyWindow = (typeof ACCURACY_WINDOWS)[number];

export interface NetworkAccuracy {
  network: string;
  label: string;
  /** Orders paid in the window (the same for every network). */
  paidOrders: number;
  /** Orders the network's rules found its click on (for a network that reports every order: all it was given). */
  withClick: number;
  delivered: number;
  failed: number;
  /** Queued, sending, retrying, paused or waiting: not settled yet. */
  open: number;
  /** Skips by reason, most frequent first. */
  skipped: Array<{ reason: string; count: number }>;
  /** Paid orders with no delivery to this network at all (switched on later: backfill them). */
  missing: number;
  /** (delivered + rightly skipped) / paid orders; null without paid orders. */
  accuracy: number | null;
}

export interface CaptureDay {
  day: string;
  orders: number;
  withClick: number;
}

export interface Accuracy {
  window: AccuracyWindow;
  days: string[];
  networks: NetworkAccuracy[];
  /** Share of (non-test) orders that arrived with any network's click id, by day. */
  capture: CaptureDay[];
  /** Networks whose clicks count for capture health. */
  captureNetworks: string[];
}

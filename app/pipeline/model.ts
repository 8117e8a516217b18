// The outbox's vocabulary: what a Delivery row's status and kind mean. Shared by ingestion, the worker, replay
// and the admin's delivery log.

export type DeliveryStatus =
  | "pending" // due at nextAttemptAt; a worker will claim it
  | "in_flight" // claimed by leaseOwner until leaseExpiresAt
  | "succeeded"
  | "failed" // permanent failure or retries exhausted: the merchant can fix and replay
  | "skipped" // never sent, with a reason the merchant can read (test order, no click id, ...)
  | "paused" // the network rejected the keys; resumes when the credentials change
  | "waiting" // a reversal whose conversion has not succeeded yet
  | "stopped"; // the app was uninstalled

export type DeliveryKind = "conversion" | "cancellation" | `refund:${string}`;

export const CONVERSION = "conversion" as const;
export const CANCELLATION = "cancellation" as const;
export const REFUND_PREFIX = "refund:";
export const refundKind = (refundId: string): DeliveryKind => `${REFUND_PREFIX}${refundId}`;
export const isReversal = (kind: string) => kind !== CONVERSION;

/** Statuses that no worker will ever pick up again without a person (replay) or a settings change. */
export const FINAL_STATUSES: readonly DeliveryStatus[] = ["succeeded", "failed", "skipped", "stopped"];

// The overview's data shape, shared by the loader (overview.server.ts) and the page: no server code here.

/** Delivery statuses in the order the merchant reads them (prisma/schema.prisma, Delivery.status). */
export const DELIVERY_STATUSES = ["succeeded", "pending", "in_flight", "waiting", "skipped", "paused", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type CredentialsStatus = "unverified" | "ok" | "rejected";

export interface NetworkOverview {
  id: string;
  label: string;
  /** Whether the shop has settings for this network at all. */
  configured: boolean;
  enabled: boolean;
  credentialsStatus: CredentialsStatus | null;
  credentialsError: string | null;
  credentialsCheckedAt: string | null;
  /** Deliveries created in the window, per status; statuses with none are absent. */
  deliveries: Partial<Record<DeliveryStatus, number>>;
}

export interface FailureOverview {
  id: string;
  network: string;
  networkLabel: string;
  orderName: string;
  kind: string;
  status: string;
  attempts: number;
  httpStatus: number | null;
  error: string | null;
  at: string;
}

export interface Overview {
  shop: string;
  /** False until the shop has settings for at least one network: the page then explains how to set up. */
  configured: boolean;
  windowDays: number;
  networks: NetworkOverview[];
  recentFailures: FailureOverview[];
}

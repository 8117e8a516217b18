// Badges the admin's pages share: a network's keys, a delivery's status and kind, in the merchant's words.
import { Badge } from "@shopify/polaris";
import type { ComponentProps } from "react";
import type { CredentialsStatus } from "../network-forms.ts";

type Tone = ComponentProps<typeof Badge>["tone"];

export function CredentialsBadge({ status }: { status: CredentialsStatus | null }) {
  switch (status) {
    case "ok":
      return <Badge tone="success">Keys accepted</Badge>;
    case "rejected":
      return <Badge tone="critical">Keys rejected</Badge>;
    case "unverified":
      return <Badge tone="attention">Keys not checked yet</Badge>;
    default:
      return <Badge>No keys</Badge>;
  }
}

export const DELIVERY_STATUS_LABELS: Record<string, { label: string; tone: Tone }> = {
  succeeded: { label: "Delivered", tone: "success" },
  pending: { label: "Queued", tone: undefined },
  in_flight: { label: "Sending", tone: "info" },
  waiting: { label: "Waiting", tone: undefined },
  skipped: { label: "Skipped", tone: undefined },
  paused: { label: "Paused", tone: "warning" },
  failed: { label: "Failed", tone: "critical" },
  stopped: { label: "Stopped", tone: undefined },
};

export function DeliveryStatusBadge({ status }: { status: string }) {
  const known = DELIVERY_STATUS_LABELS[status];
  return <Badge tone={known?.tone}>{known?.label ?? status}</Badge>;
}

export function kindLabel(kind: string): string {
  if (kind === "conversion") return "Sale";
  if (kind === "cancellation") return "Cancellation";
  if (kind.startsWith("refund:")) return "Refund";
  return kind;
}

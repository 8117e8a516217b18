// The merchant's overview (/app): per network, whether it is on, whether its keys work, what was delivered in
// the last days; then the latest failures. Read-only; settings are imported from a file until the admin form
// arrives.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Card,
  DataTable,
  EmptyState,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import type { ComponentProps } from "react";
import { db } from "../../db/client.server.ts";
import { authenticate } from "../../shopify.server.ts";
import { loadOverview } from "./overview.server.ts";
import { settingsFileExample } from "./settings-example.server.ts";
import { DELIVERY_STATUSES, type DeliveryStatus, type NetworkOverview } from "./overview.ts";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { ...(await loadOverview(db(), session.shop)), settingsExample: settingsFileExample() };
};

type Tone = ComponentProps<typeof Badge>["tone"];

const STATUS_LABELS: Record<DeliveryStatus, { label: string; tone: Tone }> = {
  succeeded: { label: "Delivered", tone: "success" },
  pending: { label: "Queued", tone: undefined },
  in_flight: { label: "Sending", tone: "info" },
  waiting: { label: "Waiting", tone: undefined },
  skipped: { label: "Skipped", tone: undefined },
  paused: { label: "Paused", tone: "warning" },
  failed: { label: "Failed", tone: "critical" },
};

// Dates as UTC text made on the server, so the server and the browser render the same thing.
const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

function kindLabel(kind: string): string {
  if (kind === "conversion") return "Sale";
  if (kind === "cancellation") return "Cancellation";
  if (kind.startsWith("refund:")) return "Refund";
  return kind;
}

function CredentialsBadge({ network }: { network: NetworkOverview }) {
  switch (network.credentialsStatus) {
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

function NetworkCard({ network, windowDays }: { network: NetworkOverview; windowDays: number }) {
  const counts = DELIVERY_STATUSES.filter((status) => network.deliveries[status]);
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h2" variant="headingMd">
            {network.label}
          </Text>
          <InlineStack gap="200">
            {network.configured ? (
              network.enabled ? (
                <Badge tone="success">Enabled</Badge>
              ) : (
                <Badge>Disabled</Badge>
              )
            ) : (
              <Badge>Not set up</Badge>
            )}
            {network.configured && <CredentialsBadge network={network} />}
          </InlineStack>
        </InlineStack>
        {network.credentialsStatus === "rejected" && (
          <Banner tone="critical" title={`${network.label} rejected the keys`}>
            <p>{network.credentialsError ?? "The network answered that the keys are not valid."}</p>
            <p>Deliveries to {network.label} wait until new keys are imported; then they are sent again.</p>
          </Banner>
        )}
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm" tone="subdued">
            Deliveries in the last {windowDays} days
          </Text>
          {counts.length === 0 ? (
            <Text as="p" tone="subdued">
              None yet.
            </Text>
          ) : (
            <InlineStack gap="200">
              {counts.map((status) => (
                <Badge key={status} tone={STATUS_LABELS[status].tone}>
                  {`${STATUS_LABELS[status].label}: ${network.deliveries[status]}`}
                </Badge>
              ))}
            </InlineStack>
          )}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

function SetupInstructions({ shop, example }: { shop: string; example: string }) {
  return (
    <Card>
      <EmptyState heading="Connect your affiliate networks" image="/empty-networks.svg">
        <BlockStack gap="300">
          <p>
            Affiliate Relay reports each paid order to the networks you switch on. Until the settings page arrives,
            settings are imported from a file: write the networks you work with and their keys into a JSON file, then
            run:
          </p>
          <Box padding="300" background="bg-surface-secondary" borderRadius="200">
            <pre style={{ margin: 0, textAlign: "left", whiteSpace: "pre-wrap" }}>
              <code>{`npx affiliate-relay settings import --shop ${shop} settings.json`}</code>
            </pre>
          </Box>
          <p>A settings file looks like this (leave out the networks you do not use):</p>
          <Box padding="300" background="bg-surface-secondary" borderRadius="200">
            <pre style={{ margin: 0, textAlign: "left", whiteSpace: "pre-wrap" }}>
              <code>{example}</code>
            </pre>
          </Box>
        </BlockStack>
      </EmptyState>
    </Card>
  );
}

export default function OverviewPage() {
  const overview = useLoaderData<typeof loader>();

  if (!overview.configured) {
    return (
      <Page title="Overview">
        <SetupInstructions shop={overview.shop} example={overview.settingsExample} />
      </Page>
    );
  }

  const failureRows = overview.recentFailures.map((failure) => [
    failure.orderName,
    failure.networkLabel,
    kindLabel(failure.kind),
    failure.status === "paused" ? "Paused" : "Failed",
    failure.attempts,
    [failure.httpStatus ? `HTTP ${failure.httpStatus}` : null, failure.error].filter(Boolean).join(": ") || "-",
    when(failure.at),
  ]);

  return (
    <Page title="Overview">
      <Layout>
        {overview.networks.map((network) => (
          <Layout.Section key={network.id}>
            <NetworkCard network={network} windowDays={overview.windowDays} />
          </Layout.Section>
        ))}
        <Layout.Section>
          <Card padding="0">
            <Box padding="400">
              <Text as="h2" variant="headingMd">
                Recent failures
              </Text>
            </Box>
            {failureRows.length === 0 ? (
              <Box paddingInline="400" paddingBlockEnd="400">
                <Text as="p" tone="subdued">
                  No failed deliveries.
                </Text>
              </Box>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "numeric", "text", "text"]}
                headings={["Order", "Network", "Event", "Status", "Attempts", "Last error", "When"]}
                rows={failureRows}
                verticalAlign="top"
              />
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

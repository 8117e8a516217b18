// /app, the home page: the setup checklist, the last 30 days at a glance, and what needs attention.
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { appEmbedStatus } from "../../admin/app-embed.server.ts";
import type { ChecklistStep, Home } from "../../admin/home.ts";
import { loadHome } from "../../admin/home.server.ts";
import { AttentionBanners } from "../../admin/ui/attention-banners.tsx";
import { DailyChart } from "../../admin/ui/daily-chart.tsx";
import { AdminErrorBoundary } from "../../admin/ui/error-boundary.tsx";
import { db } from "../../db/client.server.ts";
import { adminGraphqlForShop } from "../../shopify/admin-graphql.server.ts";
import { authenticate } from "../../shopify.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  // The checklist asks the theme afresh: the merchant may just have switched the embed on.
  return loadHome(db(), shop, () => appEmbedStatus(shop, () => adminGraphqlForShop(shop), { fresh: true }));
};

const STATE_BADGE: Record<ChecklistStep["state"], { text: string; tone: "success" | "attention" | "critical" }> = {
  done: { text: "Done", tone: "success" },
  todo: { text: "To do", tone: "attention" },
  problem: { text: "Needs you", tone: "critical" },
};

function Checklist({ steps }: { steps: ChecklistStep[] }) {
  const done = steps.filter((step) => step.state === "done").length;
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="200">
          <InlineStack align="space-between">
            <Text as="h2" variant="headingMd">
              Setup
            </Text>
            <Text as="span" tone="subdued">{`${done} of ${steps.length} done`}</Text>
          </InlineStack>
          <ProgressBar progress={(done / steps.length) * 100} size="small" tone="success" />
        </BlockStack>
        <ol style={{ margin: 0, padding: 0, listStyle: "none" }}>
          <BlockStack gap="300">
            {steps.map((step, index) => (
              <li key={step.id} data-step={step.id} data-state={step.state}>
                <Box padding="300" background={step.state === "done" ? "bg-surface-secondary" : "bg-surface"} borderRadius="200" borderWidth="025" borderColor="border">
                  <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
                    <BlockStack gap="100">
                      <Text as="h3" variant="headingSm">
                        {`${index + 1}. ${step.title}`}
                      </Text>
                      <Text as="p" tone="subdued">
                        {step.detail}
                      </Text>
                    </BlockStack>
                    <InlineStack gap="300" blockAlign="center" wrap={false}>
                      <Badge tone={STATE_BADGE[step.state].tone}>{STATE_BADGE[step.state].text}</Badge>
                      {step.action && (
                        <Button url={step.action.url} target={step.action.external ? "_blank" : undefined} variant={step.state === "done" ? "plain" : "primary"}>
                          {step.action.content}
                        </Button>
                      )}
                    </InlineStack>
                  </InlineStack>
                </Box>
              </li>
            ))}
          </BlockStack>
        </ol>
      </BlockStack>
    </Card>
  );
}

function LastDays({ home }: { home: Home }) {
  const totals = home.relayed.map((series) => ({ ...series, total: series.counts.reduce((a, b) => a + b, 0) }));
  const any = totals.some((series) => series.total > 0);
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {`Orders relayed in the last ${home.windowDays} days`}
        </Text>
        {totals.length === 0 ? (
          <Text as="p" tone="subdued">
            No network is switched on yet.
          </Text>
        ) : (
          <InlineStack gap="800">
            {totals.map((series) => (
              <BlockStack key={series.network} gap="100">
                <Text as="span" tone="subdued">
                  {series.label}
                </Text>
                <Text as="p" variant="headingLg">
                  <span data-relayed={series.network}>{String(series.total)}</span>
                </Text>
              </BlockStack>
            ))}
          </InlineStack>
        )}
        {totals.length === 0 ? null : any ? (
          <DailyChart
            kind="stacked-bars"
            days={home.days}
            series={home.relayed.map((series) => ({ name: series.label, values: series.counts }))}
            label={`Orders relayed per day and network over the last ${home.windowDays} days`}
          />
        ) : (
          <Text as="p" tone="subdued">
            No order has been relayed in this period yet.
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

function NeedsAttention({ home }: { home: Home }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Needs attention
        </Text>
        {home.failures.length === 0 ? (
          <Text as="p" tone="subdued">
            Nothing failed. Deliveries that fail or wait for new keys show here.
          </Text>
        ) : (
          <BlockStack gap="200">
            {home.failures.map((entry) => (
              <InlineStack key={entry.network} align="space-between" blockAlign="center">
                <Text as="p">
                  {[entry.failed ? `${entry.failed} failed` : null, entry.paused ? `${entry.paused} paused on rejected keys` : null].filter(Boolean).join(", ")}
                  {` at ${entry.label}`}
                </Text>
                <Button url={`/app/deliveries?network=${encodeURIComponent(entry.network)}&status=${entry.failed ? "failed" : "paused"}`} variant="plain">
                  See them
                </Button>
              </InlineStack>
            ))}
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

export default function HomePage() {
  const home = useLoaderData<typeof loader>();
  return (
    <Page title="Home">
      <Layout>
        <AttentionBanners />
        <Layout.Section>
          <Checklist steps={home.checklist} />
        </Layout.Section>
        <Layout.Section>
          <NeedsAttention home={home} />
        </Layout.Section>
        <Layout.Section>
          <LastDays home={home} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary title="Home" />;
}

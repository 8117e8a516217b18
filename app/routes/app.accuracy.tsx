// /app/accuracy: per network for a chosen window, paid orders, orders carrying its click, delivered, failed,
// skipped by reason, and the accuracy figure (delivered + rightly skipped) / orders, as numbers and a chart; and
// capture health, the share of orders that arrived with any click id, by day.
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { BlockStack, Card, DataTable, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { ACCURACY_WINDOWS, type AccuracyWindow } from "../admin/accuracy.ts";
import { loadAccuracy } from "../admin/accuracy.server.ts";
import { AttentionBanners } from "../admin/ui/attention-banners.tsx";
import { DailyChart, StackedBars } from "../admin/ui/daily-chart.tsx";
import { AdminErrorBoundary } from "../admin/ui/error-boundary.tsx";
import { percent } from "../admin/ui/format.ts";
import { db } from "../db/client.server.ts";
import { networks } from "../networks/registry.ts";
import { authenticate } from "../shopify.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const asked = Number(new URL(request.url).searchParams.get("days"));
  const window: AccuracyWindow = (ACCURACY_WINDOWS as readonly number[]).includes(asked) ? (asked as AccuracyWindow) : 30;
  return loadAccuracy(db(), session.shop, networks, window);
};

export default function AccuracyPage() {
  const accuracy = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const shown = accuracy.networks.filter((entry) => entry.paidOrders > 0 && entry.delivered + entry.failed + entry.open + entry.skipped.length > 0);
  const rows = accuracy.networks.map((entry) => [
    entry.label,
    entry.paidOrders,
    entry.withClick,
    entry.delivered,
    entry.failed,
    entry.skipped.reduce((sum, s) => sum + s.count, 0),
    entry.open + entry.missing,
    entry.accuracy === null ? "–" : percent(entry.accuracy),
  ]);
  const captured = accuracy.capture.reduce((sum, day) => sum + day.withClick, 0);
  const ordersForCapture = accuracy.capture.reduce((sum, day) => sum + day.orders, 0);
  return (
    <Page title="Accuracy" subtitle="How many paid orders reached each network, and why the others did not.">
      <Layout>
        <AttentionBanners />
        <Layout.Section>
          <InlineStack align="end">
            <div style={{ minWidth: "14rem" }}>
              <Select
                label="Period"
                labelInline
                options={ACCURACY_WINDOWS.map((days) => ({ label: `Last ${days} days`, value: String(days) }))}
                value={String(accuracy.window)}
                onChange={(value) => navigate(`/app/accuracy?days=${value}`)}
              />
            </div>
          </InlineStack>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                Per network
              </Text>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Network", "Paid orders", "With its click", "Delivered", "Failed", "Skipped", "Not sent yet", "Accuracy"]}
                rows={rows}
              />
              <Text as="p" tone="subdued">
                Accuracy is (delivered + rightly skipped) ÷ paid orders. &quot;Not sent yet&quot; counts deliveries still queued, retrying or paused, and
                paid orders the network never got (switched on later: backfill them from the Deliveries page).
              </Text>
              {shown.length > 0 ? (
                <StackedBars
                  label={`What became of the orders paid in the last ${accuracy.window} days, per network`}
                  categories={accuracy.networks.map((entry) => entry.label)}
                  series={[
                    { name: "Delivered", values: accuracy.networks.map((entry) => entry.delivered) },
                    { name: "Rightly skipped", values: accuracy.networks.map((entry) => entry.skipped.reduce((sum, s) => sum + s.count, 0)) },
                    { name: "Failed", values: accuracy.networks.map((entry) => entry.failed) },
                    { name: "Not sent yet", values: accuracy.networks.map((entry) => entry.open + entry.missing) },
                  ]}
                />
              ) : (
                <Text as="p" tone="subdued">
                  No order was paid in this period.
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Skipped, by reason
              </Text>
              {accuracy.networks.every((entry) => entry.skipped.length === 0) ? (
                <Text as="p" tone="subdued">
                  Nothing was skipped.
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric"]}
                  headings={["Network", "Reason", "Orders"]}
                  rows={accuracy.networks.flatMap((entry) => entry.skipped.map((s) => [entry.label, s.reason, s.count]))}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Capture health
              </Text>
              {accuracy.captureNetworks.length === 0 || ordersForCapture === 0 ? (
                <Text as="p" tone="subdued">
                  Not enough orders yet: this shows the share of orders that arrived with a click id, by day, once a network that needs one has orders.
                </Text>
              ) : (
                <>
                  <Text as="p">
                    {`${percent(captured / ordersForCapture)} of orders arrived with a click id (${captured} of ${ordersForCapture}). A sudden drop means the app embed or a tracker stopped working.`}
                  </Text>
                  <DailyChart
                    kind="line"
                    label="Share of orders that arrived with a click id, per day"
                    days={accuracy.days}
                    series={[{ name: "Orders with a click id (%)", values: accuracy.capture.map((day) => (day.orders ? Math.round((day.withClick / day.orders) * 1000) / 10 : 0)) }]}
                    formatValue={(value) => `${value}%`}
                  />
                </>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary title="Accuracy" />;
}

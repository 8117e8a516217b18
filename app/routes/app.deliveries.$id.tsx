// /app/deliveries/<id>: one delivery, its order, every attempt (the request with secrets redacted, status,
// response excerpt, duration, time; past ATTEMPT_BODY_RETENTION_DAYS the request and response are pruned and the
// page says so), the skip or failure reason in the merchant's words, and "Retry". A
// delivery of another shop is not found (404).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { loadDeliveryDetail, type DeliveryDetail } from "../admin/deliveries.server.ts";
import { AttemptCard } from "../admin/ui/attempt-card.tsx";
import { AttentionBanners } from "../admin/ui/attention-banners.tsx";
import { DeliveryStatusBadge, kindLabel } from "../admin/ui/badges.tsx";
import { AdminErrorBoundary } from "../admin/ui/error-boundary.tsx";
import { sentence, when } from "../admin/ui/format.ts";
import { db } from "../db/client.server.ts";
import { replayDelivery } from "../pipeline/replay.server.ts";
import { authenticate } from "../shopify.server.ts";

const notFound = () => new Response("Not Found", { status: 404, statusText: "Not Found" });

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const delivery = await loadDeliveryDetail(db(), session.shop, params.id ?? "");
  if (!delivery) throw notFound();
  return { delivery };
};

export type RetryResult = { retried: true } | { retried: false; reason: string };

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") !== "retry") return json({ error: "unknown action" }, { status: 400 });
  const exists = await db().delivery.findFirst({ where: { id: params.id ?? "", shop: session.shop }, select: { id: true } });
  if (!exists) throw notFound();
  const result = await replayDelivery(db(), session.shop, exists.id);
  return json<RetryResult>(result.replayed ? { retried: true } : { retried: false, reason: result.reason });
};

/** The delivery's state as the merchant reads it. */
function explanation(d: DeliveryDetail): { tone: "success" | "critical" | "warning" | "info"; title: string; text: string | null } {
  switch (d.status) {
    case "succeeded":
      return { tone: "success", title: `Delivered to ${d.networkLabel}`, text: d.completedAt ? `Accepted on ${when(d.completedAt)}.` : null };
    case "failed":
      return {
        tone: "critical",
        title: `${d.networkLabel} did not accept this ${kindLabel(d.kind).toLowerCase()}`,
        text: `${sentence(d.reason ?? d.lastError ?? "No reason was recorded")} Fix what it names (often a setting on the Networks page), then retry.`,
      };
    case "paused":
      return {
        tone: "warning",
        title: `Paused: ${d.networkLabel} rejected the keys`,
        text: "Save working keys on the Networks page; paused deliveries are then sent again by themselves.",
      };
    case "skipped":
      return { tone: "info", title: "Not sent", text: d.reason };
    case "waiting":
      return { tone: "info", title: "Waiting", text: "This waits for the sale to be delivered first; it is sent right after." };
    case "stopped":
      return { tone: "info", title: "Stopped", text: "The app was uninstalled before this was sent." };
    default:
      return d.attempts > 0
        ? { tone: "warning", title: "Retrying", text: `${sentence(d.lastError ?? "The last attempt did not succeed")}${d.nextAttemptAt ? ` Next attempt: ${when(d.nextAttemptAt)}.` : ""}` }
        : { tone: "info", title: "Queued", text: "It will be sent in a moment." };
  }
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <BlockStack gap="100">
      <Text as="dt" tone="subdued" variant="bodySm">
        {label}
      </Text>
      <Text as="dd">{children}</Text>
    </BlockStack>
  );
}

export default function DeliveryPage() {
  const { delivery } = useLoaderData<typeof loader>();
  const retry = useFetcher<RetryResult>();
  const revalidator = useRevalidator();
  const state = explanation(delivery);
  const inQueue = delivery.status === "pending" || delivery.status === "in_flight";

  // A queued delivery is sent within moments: follow it until it settles.
  useEffect(() => {
    if (!inQueue) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 1500);
    return () => clearInterval(timer);
  }, [inQueue, revalidator]);

  const retryError = retry.data && !retry.data.retried ? retry.data.reason : null;
  return (
    <Page
      title={`${delivery.order.name} to ${delivery.networkLabel}`}
      subtitle={`${kindLabel(delivery.kind)} · recorded ${when(delivery.createdAt)}`}
      titleMetadata={<DeliveryStatusBadge status={delivery.status} />}
      backAction={{ content: "Deliveries", url: "/app/deliveries" }}
    >
      <Layout>
        <AttentionBanners />
        <Layout.Section>
          <Banner tone={state.tone} title={state.title}>
            {state.text && <p>{state.text}</p>}
          </Banner>
        </Layout.Section>
        {(delivery.replayable || retryError) && (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                {retryError && (
                  <Banner tone="warning" title="Not retried">
                    <p>{retryError}</p>
                  </Banner>
                )}
                {delivery.replayable && (
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="p">Fixed what made it fail? Send it again, with a fresh retry window.</Text>
                    <Button variant="primary" loading={retry.state !== "idle"} onClick={() => retry.submit({ intent: "retry" }, { method: "post" })}>
                      Retry
                    </Button>
                  </InlineStack>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Order
              </Text>
              <dl style={{ margin: 0 }}>
                <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
                  <Fact label="Order">{delivery.order.name}</Fact>
                  <Fact label="Shopify order id">{delivery.order.shopifyOrderId}</Fact>
                  <Fact label="Paid">{delivery.order.paidAt ? when(delivery.order.paidAt) : "–"}</Fact>
                  <Fact label="Attempts">{String(delivery.olderAttempts + delivery.attemptLog.length)}</Fact>
                  {delivery.order.test && <Fact label="Test order">Yes</Fact>}
                  {delivery.order.cancelledAt && <Fact label="Cancelled">{when(delivery.order.cancelledAt)}</Fact>}
                </InlineGrid>
              </dl>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="h2" variant="headingMd">
              Attempts
            </Text>
            {delivery.attemptLog.length === 0 ? (
              <Card>
                <Text as="p" tone="subdued">
                  {delivery.status === "skipped" ? "Nothing was sent." : "No attempt yet."}
                </Text>
              </Card>
            ) : (
              <>
                {delivery.olderAttempts > 0 && (
                  <Text as="p" tone="subdued">
                    {`${delivery.olderAttempts} earlier attempts are not shown.`}
                  </Text>
                )}
                {delivery.attemptLog.map((attempt, index) => (
                  <AttemptCard key={attempt.id} attempt={attempt} index={delivery.olderAttempts + index + 1} retentionDays={delivery.attemptBodyRetentionDays} />
                ))}
              </>
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary title="Delivery" notFound="There is no such delivery for this shop." />;
}

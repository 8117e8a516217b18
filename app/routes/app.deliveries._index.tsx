// /app/deliveries: every delivery of the shop's orders to its networks, newest first, filtered and paginated on
// the server (a cursor, not an offset). Also where the merchant queues failed deliveries again and backfills a
// network switched on later.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form as RemixForm, useFetcher, useLoaderData, useNavigate, useRevalidator, useSearchParams } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  EmptyState,
  FormLayout,
  IndexTable,
  InlineStack,
  Layout,
  Link,
  Page,
  Pagination,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { DELIVERY_KIND_FILTERS, DELIVERY_STATUS_FILTERS, filtersQuery, parseDeliveryFilters } from "../admin/delivery-filters.ts";
import { listDeliveries, queueCounts } from "../admin/deliveries.server.ts";
import { AttentionBanners } from "../admin/ui/attention-banners.tsx";
import { DELIVERY_STATUS_LABELS, DeliveryStatusBadge, kindLabel } from "../admin/ui/badges.tsx";
import { AdminErrorBoundary } from "../admin/ui/error-boundary.tsx";
import { when } from "../admin/ui/format.ts";
import { db } from "../db/client.server.ts";
import { networkById, networks } from "../networks/registry.ts";
import { backfillNetwork, BackfillError, MAX_BACKFILL_DAYS } from "../pipeline/backfill.server.ts";
import { replayFailed } from "../pipeline/replay.server.ts";
import { authenticate } from "../shopify.server.ts";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const filters = parseDeliveryFilters(new URL(request.url).searchParams);
  const [page, counts, connections] = await Promise.all([
    listDeliveries(db(), session.shop, filters),
    queueCounts(db(), session.shop),
    db().networkConnection.findMany({ where: { shop: session.shop }, select: { network: true, enabled: true } }),
  ]);
  return {
    page,
    filters,
    counts,
    networks: networks.map((network) => ({
      id: network.id,
      label: network.label,
      enabled: connections.some((connection) => connection.network === network.id && connection.enabled),
    })),
    maxBackfillDays: MAX_BACKFILL_DAYS,
  };
};

export type DeliveriesActionResult =
  | { intent: "retry-network"; network: string; label: string; queued: number }
  | { intent: "backfill"; network: string; label: string; ok: true; orders: number; queued: number; skipped: number; alreadyThere: number }
  | { intent: "backfill"; network: string; label: string; ok: false; error: string };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const definition = networkById(String(form.get("network") ?? ""));
  if (!definition) return json({ error: "unknown network" }, { status: 400 });
  const intent = form.get("intent");
  if (intent === "retry-network") {
    const queued = await replayFailed(db(), session.shop, definition.id);
    return json<DeliveriesActionResult>({ intent, network: definition.id, label: definition.label, queued });
  }
  if (intent === "backfill") {
    const days = Number(form.get("days"));
    try {
      const result = await backfillNetwork(db(), { shop: session.shop, network: definition.id, days });
      return json<DeliveriesActionResult>({ intent, network: definition.id, label: definition.label, ok: true, ...result });
    } catch (error) {
      if (error instanceof BackfillError) return json<DeliveriesActionResult>({ intent, network: definition.id, label: definition.label, ok: false, error: error.message });
      throw error;
    }
  }
  return json({ error: "unknown action" }, { status: 400 });
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function Filters({ data }: { data: LoaderData }) {
  const { filters } = data;
  const [values, setValues] = useState({
    network: filters.network ?? "",
    status: filters.status ?? "",
    kind: filters.kind ?? "",
    from: filters.from ?? "",
    to: filters.to ?? "",
    order: filters.order ?? "",
  });
  const set = (key: keyof typeof values) => (value: string) => setValues((current) => ({ ...current, [key]: value }));
  return (
    <Card>
      <RemixForm method="get" action="/app/deliveries">
        <BlockStack gap="300">
          <Text as="h2" variant="headingSm">
            Filter
          </Text>
          <FormLayout>
            <FormLayout.Group condensed>
              <Select
                label="Network"
                name="network"
                options={[{ label: "All networks", value: "" }, ...data.networks.map((network) => ({ label: network.label, value: network.id }))]}
                value={values.network}
                onChange={set("network")}
              />
              <Select
                label="Status"
                name="status"
                options={[{ label: "Any status", value: "" }, ...DELIVERY_STATUS_FILTERS.map((status) => ({ label: DELIVERY_STATUS_LABELS[status]?.label ?? status, value: status }))]}
                value={values.status}
                onChange={set("status")}
              />
              <Select
                label="Event"
                name="kind"
                options={[{ label: "Any event", value: "" }, ...DELIVERY_KIND_FILTERS.map((kind) => ({ label: kindLabel(kind === "refund" ? "refund:" : kind), value: kind }))]}
                value={values.kind}
                onChange={set("kind")}
              />
            </FormLayout.Group>
            <FormLayout.Group condensed>
              <TextField label="From" type="date" name="from" value={values.from} onChange={set("from")} autoComplete="off" />
              <TextField label="To" type="date" name="to" value={values.to} onChange={set("to")} autoComplete="off" />
              <TextField label="Order" name="order" value={values.order} onChange={set("order")} autoComplete="off" placeholder="#1001" />
            </FormLayout.Group>
          </FormLayout>
          <InlineStack gap="200" align="end">
            <Button url="/app/deliveries">Clear</Button>
            <Button submit variant="primary">
              Apply filters
            </Button>
          </InlineStack>
        </BlockStack>
      </RemixForm>
    </Card>
  );
}

function DeliveriesTable({ data }: { data: LoaderData }) {
  const navigate = useNavigate();
  const { page, filters } = data;
  const filtered = Boolean(filters.network || filters.status || filters.kind || filters.from || filters.to || filters.order);
  if (!page.rows.length && !filters.after && !filters.before) {
    return (
      <Card>
        <EmptyState heading={filtered ? "No deliveries match these filters" : "No deliveries yet"} image="/empty-networks.svg">
          <p>
            {filtered
              ? "Change or clear the filters to see more."
              : "Each paid order is delivered to the networks you switched on; the deliveries show here as soon as the first order arrives."}
          </p>
        </EmptyState>
      </Card>
    );
  }
  return (
    <Card padding="0">
      <IndexTable
        resourceName={{ singular: "delivery", plural: "deliveries" }}
        itemCount={page.rows.length}
        selectable={false}
        headings={[{ title: "Order" }, { title: "Network" }, { title: "Event" }, { title: "Status" }, { title: "Attempts", alignment: "end" }, { title: "Reason" }, { title: "Recorded" }]}
      >
        {page.rows.map((row, index) => (
          <IndexTable.Row id={row.id} key={row.id} position={index}>
            <IndexTable.Cell>
              <Link url={`/app/deliveries/${row.id}`} removeUnderline>
                <Text as="span" fontWeight="semibold">
                  {row.orderName}
                </Text>
              </Link>
            </IndexTable.Cell>
            <IndexTable.Cell>{row.networkLabel}</IndexTable.Cell>
            <IndexTable.Cell>{kindLabel(row.kind)}</IndexTable.Cell>
            <IndexTable.Cell>
              <DeliveryStatusBadge status={row.status} />
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" alignment="end" numeric>
                {row.attempts}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>
              {/* Index table cells do not wrap; a reason does, within its column. */}
              <div style={{ whiteSpace: "normal", maxWidth: "28rem", minWidth: "14rem" }}>
                <Text as="span" tone="subdued" breakWord>
                  {[row.httpStatus ? `HTTP ${row.httpStatus}` : null, row.reason].filter(Boolean).join(": ") || "–"}
                </Text>
              </div>
            </IndexTable.Cell>
            <IndexTable.Cell>{when(row.createdAt)}</IndexTable.Cell>
          </IndexTable.Row>
        ))}
      </IndexTable>
      <Box padding="300">
        <InlineStack align="center">
          <Pagination
            hasPrevious={Boolean(page.newer)}
            previousTooltip="Newer"
            onPrevious={() => navigate(`/app/deliveries${filtersQuery(filters, { before: page.newer ?? undefined })}`)}
            hasNext={Boolean(page.older)}
            nextTooltip="Older"
            onNext={() => navigate(`/app/deliveries${filtersQuery(filters, { after: page.older ?? undefined })}`)}
          />
        </InlineStack>
      </Box>
    </Card>
  );
}

function FixActions({ data }: { data: LoaderData }) {
  const retry = useFetcher<DeliveriesActionResult>();
  const backfill = useFetcher<DeliveriesActionResult>();
  const revalidator = useRevalidator();
  const enabled = data.networks.filter((network) => network.enabled);
  const [network, setNetwork] = useState(enabled[0]?.id ?? "");
  const [days, setDays] = useState("7");
  const withFailures = data.networks.filter((entry) => (data.counts[entry.id]?.failed ?? 0) > 0);
  const backfilled = backfill.data && "intent" in backfill.data && backfill.data.intent === "backfill" ? backfill.data : undefined;
  const stillQueued = backfilled?.ok ? (data.counts[backfilled.network]?.queued ?? 0) : 0;

  // While the backfilled orders are being delivered, the counts refresh so the merchant sees them go.
  useEffect(() => {
    if (!stillQueued) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 2000);
    return () => clearInterval(timer);
  }, [stillQueued, revalidator]);

  const retried = retry.data && "intent" in retry.data && retry.data.intent === "retry-network" ? retry.data : undefined;
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingSm">
          Fix and send again
        </Text>
        {retried && (
          <Banner tone="success" title={`${retried.queued} failed ${retried.label} ${retried.queued === 1 ? "delivery" : "deliveries"} queued again`} />
        )}
        {withFailures.length === 0 ? (
          <Text as="p" tone="subdued">
            No failed deliveries.
          </Text>
        ) : (
          <InlineStack gap="200">
            {withFailures.map((entry) => (
              <Button
                key={entry.id}
                loading={retry.state !== "idle" && retry.formData?.get("network") === entry.id}
                onClick={() => retry.submit({ intent: "retry-network", network: entry.id }, { method: "post" })}
              >
                {`Retry ${data.counts[entry.id]!.failed} failed for ${entry.label}`}
              </Button>
            ))}
          </InlineStack>
        )}
        <backfill.Form method="post">
          <input type="hidden" name="intent" value="backfill" />
          <BlockStack gap="300">
            <Text as="p">Send a network the orders of the last days (for a network switched on later). Orders it already has are left alone.</Text>
            <FormLayout>
              <FormLayout.Group condensed>
                <Select
                  label="Network"
                  name="network"
                  options={enabled.length ? enabled.map((entry) => ({ label: entry.label, value: entry.id })) : [{ label: "No network is switched on", value: "" }]}
                  value={network}
                  onChange={setNetwork}
                  disabled={!enabled.length}
                />
                <TextField
                  label="Days"
                  type="number"
                  name="days"
                  min={1}
                  max={data.maxBackfillDays}
                  value={days}
                  onChange={setDays}
                  autoComplete="off"
                  helpText={`1 to ${data.maxBackfillDays}`}
                  error={backfilled && !backfilled.ok ? backfilled.error : undefined}
                />
              </FormLayout.Group>
            </FormLayout>
            <InlineStack align="end">
              <Button submit disabled={!enabled.length} loading={backfill.state !== "idle"}>
                Backfill
              </Button>
            </InlineStack>
          </BlockStack>
        </backfill.Form>
        {backfill.state !== "idle" && (
          <Banner tone="info" title="Backfilling…">
            <p>Recording the orders of the last {days} days for delivery.</p>
          </Banner>
        )}
        {backfilled?.ok && backfill.state === "idle" && (
          <Banner tone={stillQueued ? "info" : "success"} title={`Backfill for ${backfilled.label}: ${backfilled.queued} queued, ${backfilled.skipped} skipped, ${backfilled.alreadyThere} already there`}>
            <p>{stillQueued ? `Delivering: ${stillQueued} still queued for ${backfilled.label}…` : `Nothing left queued for ${backfilled.label}.`}</p>
          </Banner>
        )}
      </BlockStack>
    </Card>
  );
}

export default function DeliveriesPage() {
  const data = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <Page title="Deliveries" subtitle="What happened to each paid order at each network.">
      <Layout>
        <AttentionBanners />
        <Layout.Section>
          {/* Remounted per URL, so the fields show the filters actually applied. */}
          <Filters key={params.toString()} data={data} />
        </Layout.Section>
        <Layout.Section>
          <DeliveriesTable data={data} />
        </Layout.Section>
        <Layout.Section>
          <FixActions data={data} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary title="Deliveries" />;
}

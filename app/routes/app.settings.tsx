// /app/settings: currency mode, test orders, consent gating and click windows; the settings file out and in (the
// `settings import` schema, secrets blank on export); the customer data requests received and what was reported.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Checkbox, DataTable, DropZone, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import type { SettingsActionResult, ShopOptions } from "../admin/shop-settings.ts";
import { importSettingsText, loadSettingsPage, saveShopOptions } from "../admin/shop-settings.server.ts";
import { AttentionBanners } from "../admin/ui/attention-banners.tsx";
import { AdminErrorBoundary } from "../admin/ui/error-boundary.tsx";
import { when } from "../admin/ui/format.ts";
import { db } from "../db/client.server.ts";
import { networks } from "../networks/registry.ts";
import { authenticate } from "../shopify.server.ts";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return loadSettingsPage(db(), session.shop, networks);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  switch (form.get("intent")) {
    case "options": {
      const currency = form.get("currency") === "presentment" ? "presentment" : "shop";
      const options: ShopOptions = { currency, sendTestOrders: form.get("sendTestOrders") === "on", consentGating: form.get("consentGating") === "on" };
      return json(await saveShopOptions(db(), session.shop, options));
    }
    case "import":
      return json(await importSettingsText(db(), session.shop, String(form.get("file") ?? "")));
    default:
      return json({ error: "unknown action" }, { status: 400 });
  }
};

function Outcome({ result }: { result: SettingsActionResult | undefined }) {
  if (!result) return null;
  if (!result.ok) {
    return (
      <Banner tone="critical" title={result.intent === "import" ? "Not imported" : "Not saved"}>
        <p>{result.error}</p>
      </Banner>
    );
  }
  if (!result.storefront.ok) {
    return (
      <Banner tone="warning" title="Saved, but the storefront was not updated">
        <p>{result.storefront.message}. Save again to retry.</p>
      </Banner>
    );
  }
  return (
    <Banner tone="success" title={result.intent === "import" ? "Imported" : "Saved"}>
      <p>{result.storefront.synced ? "The app embed's configuration is updated." : `The app embed's configuration is ${result.storefront.message}.`}</p>
    </Banner>
  );
}

function Options() {
  const data = useLoaderData<typeof loader>();
  const fetcher = useFetcher<SettingsActionResult>();
  const [options, setOptions] = useState(data.options);
  const submit = () => {
    const form = new FormData();
    form.set("intent", "options");
    form.set("currency", options.currency);
    if (options.sendTestOrders) form.set("sendTestOrders", "on");
    if (options.consentGating) form.set("consentGating", "on");
    fetcher.submit(form, { method: "post" });
  };
  const result = fetcher.data && "intent" in fetcher.data && fetcher.data.intent === "options" ? fetcher.data : undefined;
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Orders and shoppers
        </Text>
        <Outcome result={result} />
        <Select
          label="Amounts and currency sent to networks"
          options={[
            { label: "Your store's currency (shop money)", value: "shop" },
            { label: "What the shopper saw (presentment money)", value: "presentment" },
          ]}
          value={options.currency}
          onChange={(value) => setOptions((current) => ({ ...current, currency: value === "presentment" ? "presentment" : "shop" }))}
          helpText="Every network gets the amounts and the currency code of the same money set."
        />
        <Checkbox
          label="Send test orders"
          helpText="Off: orders Shopify marks as test orders are recorded as skipped and never reported."
          checked={options.sendTestOrders}
          onChange={(value) => setOptions((current) => ({ ...current, sendTestOrders: value }))}
        />
        <Checkbox
          label="Wait for marketing consent on the storefront"
          helpText="Where your store collects consent, clicks are only stored and trackers only loaded once a shopper allows marketing. Turning this off is your legal call."
          checked={options.consentGating}
          onChange={(value) => setOptions((current) => ({ ...current, consentGating: value }))}
        />
        <InlineStack align="end">
          <Button variant="primary" onClick={submit} loading={fetcher.state !== "idle"}>
            Save
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function ClickWindows() {
  const { clickWindows } = useLoaderData<typeof loader>();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Click windows
        </Text>
        {clickWindows.length === 0 ? (
          <Text as="p" tone="subdued">
            How long a click counts is set on each network's card on the Networks page, where the network lets you choose it.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "numeric", "text"]}
            headings={["Network", "Days", ""]}
            rows={clickWindows.map((entry) => [entry.label, entry.days, entry.fixed ? "Set by the network" : "Change it on the Networks page"])}
          />
        )}
      </BlockStack>
    </Card>
  );
}

function ExportImport() {
  const { exportFile } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<SettingsActionResult>();
  const [fileError, setFileError] = useState<string | null>(null);
  const download = () => {
    if (!exportFile) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([exportFile], { type: "application/json" }));
    link.download = "affiliate-relay-settings.json";
    link.click();
    URL.revokeObjectURL(link.href);
  };
  const upload = async (files: File[]) => {
    setFileError(null);
    const file = files[0];
    if (!file) return setFileError("Choose a .json settings file.");
    const text = await file.text();
    fetcher.submit({ intent: "import", file: text }, { method: "post" });
  };
  const result = fetcher.data && "intent" in fetcher.data && fetcher.data.intent === "import" ? fetcher.data : undefined;
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Settings file
        </Text>
        <Text as="p">
          The same file as the command line&apos;s <code>settings import</code>. Exports never hold keys: importing a file with a blank key keeps the
          key already saved.
        </Text>
        <InlineStack gap="200">
          <Button onClick={download} disabled={!exportFile}>
            Export settings
          </Button>
        </InlineStack>
        {exportFile && (
          <Box padding="300" background="bg-surface-secondary" borderRadius="200">
            <pre style={{ margin: 0, whiteSpace: "pre-wrap" }} data-settings-export>
              <code>{exportFile}</code>
            </pre>
          </Box>
        )}
        <Outcome result={result} />
        {fileError && <Banner tone="critical" title={fileError} />}
        <DropZone label="Import a settings file" accept="application/json,.json" allowMultiple={false} onDrop={(files) => void upload(files)} variableHeight>
          <Box padding="400">
            <Text as="p" alignment="center" tone="subdued">
              {fetcher.state !== "idle" ? "Importing…" : "Drop a settings file here, or click to choose one."}
            </Text>
          </Box>
        </DropZone>
      </BlockStack>
    </Card>
  );
}

function DataRequests() {
  const { dataRequests } = useLoaderData<typeof loader>();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Customer data requests
        </Text>
        <Text as="p" tone="subdued">
          When a customer asks your store what it holds about them, Shopify tells the app; here is what the app reported, so you can answer them.
        </Text>
        {dataRequests.length === 0 ? (
          <Text as="p" tone="subdued">
            No request received.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "numeric", "text"]}
            headings={["Received", "Customer", "Orders asked about", "What the app holds"]}
            verticalAlign="top"
            rows={dataRequests.map((request) => [
              when(request.receivedAt),
              request.customer,
              request.ordersRequested,
              request.orders.length === 0
                ? "Nothing"
                : request.orders
                    .map((order) => `${order.name}: ${order.customerFieldsHeld.join(", ") || "no customer data"}${order.sentTo.length ? `; sent to ${order.sentTo.join(", ")}` : ""}`)
                    .join(" · "),
            ])}
          />
        )}
      </BlockStack>
    </Card>
  );
}

export default function SettingsPage() {
  return (
    <Page title="Settings">
      <Layout>
        <AttentionBanners />
        <Layout.Section>
          <Options />
        </Layout.Section>
        <Layout.Section>
          <ClickWindows />
        </Layout.Section>
        <Layout.Section>
          <ExportImport />
        </Layout.Section>
        <Layout.Section>
          <DataRequests />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary title="Settings" />;
}

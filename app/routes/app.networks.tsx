// /app/networks: a card per registered network, its form built from the network's own field list. Secrets are
// write-only: the page shows only that one is stored and its last four characters.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, Checkbox, Form, FormLayout, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { ENABLED_FIELD, type NetworkActionResult, type NetworkCardView, type NetworkFieldView } from "../admin/network-forms.ts";
import { loadNetworkCards, saveNetworkForm, testNetworkForm } from "../admin/network-forms.server.ts";
import { AttentionBanners } from "../admin/ui/attention-banners.tsx";
import { CredentialsBadge } from "../admin/ui/badges.tsx";
import { AdminErrorBoundary } from "../admin/ui/error-boundary.tsx";
import { sentence } from "../admin/ui/format.ts";
import { db } from "../db/client.server.ts";
import { networkById, networks } from "../networks/registry.ts";
import { authenticate } from "../shopify.server.ts";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { cards: await loadNetworkCards(db(), session.shop, networks) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const definition = networkById(String(form.get("network") ?? ""));
  if (!definition) return json({ error: "unknown network" }, { status: 400 });
  switch (form.get("intent")) {
    case "save":
      return json(await saveNetworkForm(db(), session.shop, definition, form));
    case "test":
      return json(await testNetworkForm(db(), session.shop, definition, form));
    default:
      return json({ error: "unknown action" }, { status: 400 });
  }
};

function secretHelp(field: NetworkFieldView): string {
  if (!field.stored?.set) return field.help;
  const stored = field.stored.lastFour ? `A key ending in ${field.stored.lastFour} is saved.` : "A key is saved.";
  return `${stored} Leave this blank to keep it, or paste a new one. (${field.help})`;
}

function SaveOutcome({ result }: { result: NetworkActionResult }) {
  if (result.intent === "save" && result.ok) {
    const { storefront } = result;
    if (!storefront.ok) {
      return (
        <Banner tone="warning" title="Saved, but the storefront was not updated">
          <p>{storefront.message}. Save again to retry.</p>
        </Banner>
      );
    }
    return (
      <Banner tone="success" title="Saved">
        <p>{storefront.synced ? "The app embed's configuration is updated." : `The app embed's configuration is ${storefront.message}.`}</p>
      </Banner>
    );
  }
  if (result.intent === "test" && result.ok) {
    const { check } = result;
    const tone = check.outcome === "accepted" ? "success" : check.outcome === "rejected" ? "critical" : "info";
    const title = check.outcome === "accepted" ? "Keys accepted" : check.outcome === "rejected" ? "Keys rejected" : "Keys not verified";
    return (
      <Banner tone={tone} title={title}>
        <p>{check.message}</p>
      </Banner>
    );
  }
  if (!result.ok && result.formError) {
    return (
      <Banner tone="critical" title="Not saved">
        <p>{result.formError}</p>
      </Banner>
    );
  }
  if (!result.ok) {
    return (
      <Banner tone="critical" title={result.intent === "save" ? "Not saved: check the fields below" : "Not tested: check the fields below"} />
    );
  }
  return null;
}

function NetworkCard({ card }: { card: NetworkCardView }) {
  const fetcher = useFetcher<NetworkActionResult>();
  const initial = () => Object.fromEntries(card.fields.map((field) => [field.key, field.value]));
  const [enabled, setEnabled] = useState(card.enabled);
  const [values, setValues] = useState<Record<string, string>>(initial);
  const result = fetcher.data && "intent" in fetcher.data && fetcher.data.network === card.id ? fetcher.data : undefined;
  const busy = fetcher.state !== "idle" ? String(fetcher.formData?.get("intent") ?? "") : null;
  const saved = result?.intent === "save" && result.ok;

  // After a save, the secret inputs are emptied: what was typed is stored and never shown again.
  useEffect(() => {
    if (!saved) return;
    setValues((current) => {
      const next = { ...current };
      for (const field of card.fields) if (field.secret) next[field.key] = "";
      return next;
    });
  }, [saved, result, card.fields]);

  const submit = (intent: "save" | "test") => {
    const data = new FormData();
    data.set("intent", intent);
    data.set("network", card.id);
    if (enabled) data.set(ENABLED_FIELD, "on");
    for (const field of card.fields) data.set(field.key, values[field.key] ?? "");
    fetcher.submit(data, { method: "post" });
  };
  // Until the merchant saves, a stored block the schema refuses shows what is wrong with it, field by field.
  const fieldErrors = result && !result.ok ? result.fieldErrors : result ? {} : (card.storedProblem?.fieldErrors ?? {});

  return (
    <div data-network-card={card.id}>
    <Card>
      <Form onSubmit={() => submit("save")}>
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <Text as="h2" variant="headingMd">
              {card.label}
            </Text>
            <InlineStack gap="200">
              {card.configured ? card.enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge> : <Badge>Not set up</Badge>}
              {card.configured && <CredentialsBadge status={card.credentialsStatus} />}
            </InlineStack>
          </InlineStack>
          {card.credentialsStatus === "rejected" && (
            <Banner tone="critical" title={`${card.label} rejected the keys`}>
              <p>{sentence(card.credentialsError ?? "The network answered that the keys are not valid")}</p>
              <p>Deliveries to {card.label} are paused until new keys are saved; then they are sent again.</p>
            </Banner>
          )}
          {card.storedProblem && !saved && (
            <Banner tone="critical" title={`The saved ${card.label} settings need fixing`}>
              <p>{sentence(card.storedProblem.formError ?? card.storedProblem.message)}</p>
              <p>Correct the fields marked below and save.</p>
            </Banner>
          )}
          {result && <SaveOutcome result={result} />}
          <FormLayout>
            <Checkbox
              label={`Send paid orders to ${card.label}`}
              checked={enabled}
              onChange={setEnabled}
              error={fieldErrors[ENABLED_FIELD]}
            />
            {card.fields.map((field) => (
              <TextField
                key={field.key}
                label={field.required ? field.label : `${field.label} (optional)`}
                name={field.key}
                type={field.secret ? "password" : field.input === "number" ? "number" : "text"}
                autoComplete="off"
                value={values[field.key] ?? ""}
                onChange={(value) => setValues((current) => ({ ...current, [field.key]: value }))}
                helpText={field.secret ? secretHelp(field) : field.help}
                placeholder={field.secret && field.stored?.set ? "Saved: leave blank to keep" : undefined}
                error={fieldErrors[field.key]}
              />
            ))}
          </FormLayout>
          {!card.canCheckCredentials && (
            <Text as="p" tone="subdued">
              {card.label} offers no way to check keys without reporting an order: they are checked with the first delivery.
            </Text>
          )}
          <InlineStack gap="200" align="end">
            <Button onClick={() => submit("test")} loading={busy === "test"} disabled={busy !== null}>
              Test connection
            </Button>
            <Button variant="primary" submit loading={busy === "save"} disabled={busy !== null}>
              Save
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
    </div>
  );
}

export default function NetworksPage() {
  const { cards } = useLoaderData<typeof loader>();
  return (
    <Page title="Networks" subtitle="Switch on the networks you work with and paste their keys.">
      <Layout>
        <AttentionBanners />
        {cards.map((card) => (
          <Layout.Section key={card.id}>
            <NetworkCard card={card} />
          </Layout.Section>
        ))}
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary title="Networks" />;
}

// The banners every admin page shows when something needs the merchant (app/admin/attention.ts), from the
// embedded app's layout loader (app/routes/app.tsx).
import { useRouteLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Layout } from "@shopify/polaris";
import type { Attention } from "../attention.ts";
import { percent, sentence } from "./format.ts";

export function AttentionBanners() {
  const layout = useRouteLoaderData<{ attention: Attention | null }>("routes/app");
  const attention = layout?.attention;
  if (!attention) return null;
  const { rejected, lowSuccess, embed } = attention;
  if (!rejected.length && !lowSuccess.length && embed?.state !== "off") return null;
  return (
    <Layout.Section>
      <BlockStack gap="300">
        {rejected.map((entry) => (
          <Banner key={`keys-${entry.network}`} tone="critical" title={`${entry.label} rejected your keys`} action={{ content: "Update keys", url: "/app/networks" }}>
            <p>{sentence(entry.error ?? "The network answered that the keys are not valid")} Deliveries to {entry.label} are paused until new keys are saved.</p>
          </Banner>
        ))}
        {lowSuccess.map((entry) => (
          <Banner
            key={`rate-${entry.network}`}
            tone="warning"
            title={`Only ${percent(entry.rate)} of ${entry.label} deliveries succeeded in the last 24 hours`}
            action={{ content: "See failed deliveries", url: `/app/deliveries?network=${encodeURIComponent(entry.network)}&status=failed` }}
          >
            <p>
              {entry.failed} failed, {entry.succeeded} delivered. Open a failed delivery to see what {entry.label} answered.
            </p>
          </Banner>
        ))}
        {embed?.state === "off" && (
          <Banner tone="warning" title="The app embed is off in your live theme" action={{ content: "Turn on the app embed", url: embed.deepLink, target: "_blank" }}>
            <p>Without it, affiliate clicks are not captured on your storefront, and orders cannot be credited to affiliates.</p>
          </Banner>
        )}
      </BlockStack>
    </Layout.Section>
  );
}

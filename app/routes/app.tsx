// /app/*: the embedded admin. Every page under it is authenticated by shopify-app-remix (session token or
// bounce page), wrapped in App Bridge and Polaris. The layout's loader also reads what needs the merchant's
// attention, which every page shows as banners (app/admin/ui/attention-banners.tsx).
import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu, useAppBridge } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useEffect } from "react";
import { appEmbedStatus } from "../admin/app-embed.server.ts";
import { loadAttention } from "../admin/attention.server.ts";
import { db } from "../db/client.server.ts";
import { adminGraphqlForShop } from "../shopify/admin-graphql.server.ts";
import { authenticate } from "../shopify.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const attention = await loadAttention(db(), shop, () => appEmbedStatus(shop, () => adminGraphqlForShop(shop)));
  // The API key is public (App Bridge needs it in the page); the secret never leaves the server.
  return { apiKey: process.env.SHOPIFY_API_KEY ?? "", attention };
};

/** App Bridge's loading bar in Shopify admin while a page's data loads. */
function NavigationLoading() {
  const shopify = useAppBridge();
  const busy = useNavigation().state !== "idle";
  useEffect(() => {
    shopify.loading(busy);
  }, [shopify, busy]);
  return null;
}

export default function EmbeddedApp() {
  const { apiKey } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <NavMenu>
        <Link to="/app" rel="home">
          Home
        </Link>
        <Link to="/app/networks">Networks</Link>
        <Link to="/app/deliveries">Deliveries</Link>
        <Link to="/app/accuracy">Accuracy</Link>
        <Link to="/app/settings">Settings</Link>
      </NavMenu>
      <NavigationLoading />
      <Outlet />
    </AppProvider>
  );
}

// shopify-app-remix throws responses (redirects, App Bridge headers) that Remix must pass through untouched.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);

// Every admin page's error state. Responses that shopify-app-remix throws (re-authentication, bounce pages) are
// handed to its own boundary, as app/routes/app.tsx does; a 404 says what was not found; anything else says the
// page could not be loaded, without internals.
import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { Banner, Page } from "@shopify/polaris";

export function AdminErrorBoundary({ title, notFound }: { title: string; notFound?: string }) {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page title={title} backAction={{ content: "Home", url: "/app" }}>
        <Banner tone="warning" title="Not found">
          <p>{notFound ?? "There is nothing here for this shop."}</p>
        </Banner>
      </Page>
    );
  }
  if (isRouteErrorResponse(error) && error.status !== 500) return boundary.error(error);
  return (
    <Page title={title}>
      <Banner tone="critical" title="This page could not be loaded">
        <p>Something went wrong on our side. Reload the page; if it keeps happening, contact support.</p>
      </Banner>
    </Page>
  );
}

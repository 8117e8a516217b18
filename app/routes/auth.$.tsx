// /auth/*: shopify-app-remix answers its own auth paths (bounce page, exit-iframe, OAuth callbacks) by throwing
// a response from authenticate.admin; anything that gets past it is an authenticated request with nothing to show.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server.ts";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return null;
};

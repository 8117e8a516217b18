import type { ActionFunctionArgs } from "@remix-run/node";
import { handleUninstall } from "../compliance/uninstall.server.ts";
import { db } from "../db/client.server.ts";
import { authenticate } from "../shopify.server.ts";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticate.webhook(request);
  await handleUninstall(db(), shop);
  return new Response();
};

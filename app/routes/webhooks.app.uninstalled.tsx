import type { ActionFunctionArgs } from "@remix-run/node";
import { handleUninstall } from "../compliance/uninstall.server.ts";
import { db } from "../db/client.server.ts";
import { authenticate } from "../shopify.server.ts";
import { requireTopic } from "../shopify/webhook-topic.ts";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic } = await authenticate.webhook(request);
  requireTopic(topic, "app/uninstalled");
  await handleUninstall(db(), shop);
  return new Response();
};

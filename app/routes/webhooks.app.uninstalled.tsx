import type { ActionFunctionArgs } from "@remix-run/node";
import { handleUninstall } from "../compliance/uninstall.server.ts";
import { db } from "../db/client.server.ts";
import { authenticateWebhookOf } from "../shopify/authenticate-webhook.server.ts";
import { observedWebhookAction } from "../observability/webhook-observer.server.ts";

export const action = observedWebhookAction("app/uninstalled", async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticateWebhookOf(request, "app/uninstalled");
  await handleUninstall(db(), shop);
  return new Response();
});

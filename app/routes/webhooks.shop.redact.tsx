import type { ActionFunctionArgs } from "@remix-run/node";
import { redactShop } from "../compliance/shop-redact.server.ts";
import { db } from "../db/client.server.ts";
import { authenticateWebhookOf } from "../shopify/authenticate-webhook.server.ts";
import { observedWebhookAction } from "../observability/webhook-observer.server.ts";

export const action = observedWebhookAction("shop/redact", async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticateWebhookOf(request, "shop/redact");
  await redactShop(db(), shop);
  return new Response();
});

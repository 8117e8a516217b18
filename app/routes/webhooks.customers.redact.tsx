import type { ActionFunctionArgs } from "@remix-run/node";
import { customerPrivacyPayload, selectorFrom } from "../compliance/customer-payload.ts";
import { redactCustomer } from "../compliance/customer-redact.server.ts";
import { db } from "../db/client.server.ts";
import { authenticateWebhookOf } from "../shopify/authenticate-webhook.server.ts";
import { observedWebhookAction } from "../observability/webhook-observer.server.ts";

export const action = observedWebhookAction("customers/redact", async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticateWebhookOf(request, "customers/redact");
  const parsed = customerPrivacyPayload.safeParse({ shop_domain: shop, ...(payload as object) });
  if (!parsed.success) return new Response("not a customers/redact payload", { status: 422 });
  await redactCustomer(db(), { ...selectorFrom(parsed.data, parsed.data.orders_to_redact), shop });
  return new Response();
});

import type { ActionFunctionArgs } from "@remix-run/node";
import { customerPrivacyPayload, selectorFrom } from "../compliance/customer-payload.ts";
import { recordDataRequest } from "../compliance/data-request.server.ts";
import { db } from "../db/client.server.ts";
import { authenticateWebhookOf } from "../shopify/authenticate-webhook.server.ts";
import { observedWebhookAction } from "../observability/webhook-observer.server.ts";

export const action = observedWebhookAction("customers/data_request", async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticateWebhookOf(request, "customers/data_request");
  const parsed = customerPrivacyPayload.safeParse({ shop_domain: shop, ...(payload as object) });
  if (!parsed.success) return new Response("not a customers/data_request payload", { status: 422 });
  await recordDataRequest(db(), { ...selectorFrom(parsed.data, parsed.data.orders_requested), shop });
  return new Response();
});

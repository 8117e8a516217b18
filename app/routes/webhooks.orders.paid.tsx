// orders/paid: recorded into the outbox in one transaction; the worker delivers (app/pipeline).
import type { ActionFunctionArgs } from "@remix-run/node";
import { ingestPaidOrder } from "../pipeline/ingest.server.ts";
import { handleOrderWebhook } from "../pipeline/webhook-route.server.ts";

export const action = async ({ request }: ActionFunctionArgs) => handleOrderWebhook(request, "orders/paid", ingestPaidOrder);

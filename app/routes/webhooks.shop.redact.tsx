import type { ActionFunctionArgs } from "@remix-run/node";
import { redactShop } from "../compliance/shop-redact.server.ts";
import { db } from "../db/client.server.ts";
import { authenticate } from "../shopify.server.ts";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticate.webhook(request);
  await redactShop(db(), shop);
  return new Response();
};

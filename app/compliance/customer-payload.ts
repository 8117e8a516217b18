import { z } from "zod";

// customers/redact and customers/data_request share this shape (Shopify's privacy law compliance webhooks).
export const customerPrivacyPayload = z.object({
  shop_domain: z.string(),
  customer: z
    .object({
      id: z.union([z.number(), z.string()]).nullish(),
      email: z.string().nullish(),
      phone: z.string().nullish(),
    })
    .nullish(),
  orders_to_redact: z.array(z.union([z.number(), z.string()])).optional(),
  orders_requested: z.array(z.union([z.number(), z.string()])).optional(),
  data_request: z.object({ id: z.union([z.number(), z.string()]) }).nullish(),
});
export type CustomerPrivacyPayload = z.infer<typeof customerPrivacyPayload>;

export interface CustomerSelector {
  shop: string;
  customerId: string | null;
  email: string | null;
  /** customers/redact names the customer's phone too: scrubbed wherever it appears. */
  phone?: string | null;
  orderIds: string[];
}

export function selectorFrom(payload: CustomerPrivacyPayload, orderIds: Array<number | string> = []): CustomerSelector {
  const id = payload.customer?.id;
  return {
    shop: payload.shop_domain,
    customerId: id === null || id === undefined ? null : String(id),
    email: payload.customer?.email?.trim().toLowerCase() || null,
    phone: payload.customer?.phone?.trim() || null,
    orderIds: orderIds.map(String),
  };
}

export function customerOrdersWhere(selector: CustomerSelector) {
  const or: Array<Record<string, unknown>> = [];
  if (selector.customerId) or.push({ customerId: selector.customerId });
  if (selector.email) or.push({ customerEmail: selector.email });
  if (selector.orderIds.length) or.push({ shopifyOrderId: { in: selector.orderIds } });
  // No way to identify the customer: match nothing rather than everything.
  return { shop: selector.shop, OR: or.length ? or : [{ id: "__none__" }] };
}

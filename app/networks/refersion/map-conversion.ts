// Every paid order goes to Refersion (it also credits affiliates by coupon code), with the cart_id the storefront
// reported at checkout, so Refersion can tie the order to the click. Amounts: JSON numbers in major units.
import { minorToMajorNumber } from "../../money/currency.ts";
import type { PricedOrder } from "../../orders/model.ts";
import { noteAttribute, withoutCartKey } from "../shared/attribution.ts";
import type { Decision, MappingContext } from "../types.ts";
import { refersionWebhookUrl } from "./endpoints.ts";
import { refersionPost } from "./request.ts";
import type { RefersionSettings } from "./settings.ts";
import { REFERSION_CART_ATTRIBUTE } from "./storefront.ts";

/** cart_id: the value sent at checkout; else the order's cart token without "?key="; else the order id (draft, POS, API orders). */
export function refersionCartId(order: PricedOrder): { value: string; source: string } {
  const attribute = noteAttribute(order, REFERSION_CART_ATTRIBUTE);
  if (attribute) return { value: attribute, source: `the ${REFERSION_CART_ATTRIBUTE} cart attribute` };
  const token = order.cartToken ? withoutCartKey(order.cartToken) : "";
  if (token) return { value: token, source: "the order's cart token" };
  return { value: order.id, source: "the order id (the order has no cart)" };
}

export function refersionCustomer(order: PricedOrder): Record<string, string> | undefined {
  if (!order.customer) return undefined;
  const fields: Array<[string, string | null]> = [
    ["first_name", order.customer.firstName],
    ["last_name", order.customer.lastName],
    ["email", order.customer.email],
    ["ip_address", order.customer.ipAddress],
  ];
  const customer = Object.fromEntries(fields.filter((entry): entry is [string, string] => Boolean(entry[1])));
  return Object.keys(customer).length ? customer : undefined;
}

export function mapRefersionConversion(order: PricedOrder, settings: RefersionSettings, _ctx: MappingContext): Decision {
  const major = (minor: number) => minorToMajorNumber(minor, order.exponent);
  const lines = order.lines.filter((line) => line.quantity > 0);
  const customer = refersionCustomer(order);
  const body = {
    cart_id: refersionCartId(order).value,
    order_id: order.reference,
    currency_code: order.currency,
    shipping: major(order.shipping),
    tax: major(order.totalTax),
    discount: major(lines.reduce((total, line) => total + line.discount, 0)),
    ...(order.discountCodes[0] ? { discount_code: order.discountCodes[0] } : {}),
    ...(customer ? { customer } : {}),
    items: lines.map((line) => ({ sku: line.sku, quantity: line.quantity, price: major(line.unitPrice), name: line.title })),
  };
  return { action: "send", request: refersionPost(refersionWebhookUrl(), settings, body) };
}

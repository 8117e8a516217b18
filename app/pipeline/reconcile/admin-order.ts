// The edge for orders read through the Admin GraphQL API (reconciliation). GraphQL names the same facts as the
// REST webhook payload differently; this file renames them into the REST shape and hands them to the one
// converter, orderFromShopify, so an order read either way becomes the same NormalizedOrder.
import { orderFromShopify } from "../../orders/from-shopify.ts";
import type { NormalizedOrder } from "../../orders/model.ts";

interface Money {
  amount: string;
  currencyCode: string;
}
interface MoneyBag {
  shopMoney: Money;
  presentmentMoney: Money;
}
interface TaxLine {
  rate: number | null;
  priceSet: MoneyBag;
}
export interface AdminLineItem {
  id: string;
  sku: string | null;
  title: string;
  name: string;
  quantity: number;
  currentQuantity: number;
  variant: { legacyResourceId: string } | null;
  product: { legacyResourceId: string } | null;
  originalUnitPriceSet: MoneyBag;
  discountAllocations: Array<{ allocatedAmountSet: MoneyBag }>;
  taxLines: TaxLine[];
}

export interface AdminShippingLine {
  originalPriceSet: MoneyBag;
  discountedPriceSet: MoneyBag;
  taxLines: TaxLine[];
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** An order as RECONCILE_ORDER (app/shopify/documents/reconcile.ts) reads it, every page of its lines joined. */
export interface AdminOrderNode {
  id: string;
  legacyResourceId: string;
  name: string;
  test: boolean;
  createdAt: string;
  cancelledAt: string | null;
  currencyCode: string;
  presentmentCurrencyCode: string;
  taxesIncluded: boolean;
  cartToken: string | null;
  email: string | null;
  clientIp: string | null;
  customAttributes: Array<{ key: string; value: string | null }>;
  discountCodes: string[];
  customer: {
    legacyResourceId: string;
    firstName: string | null;
    lastName: string | null;
    defaultEmailAddress: { emailAddress: string | null } | null;
  } | null;
  customerJourneySummary: { firstVisit: { landingPage: string | null } | null } | null;
  lineItems: { pageInfo?: PageInfo; nodes: AdminLineItem[] };
  shippingLines: { pageInfo?: PageInfo; nodes: AdminShippingLine[] };
  /** Before returns: the order as paid. */
  totalTaxSet: MoneyBag | null;
  totalPriceSet: MoneyBag;
}

const set = (bag: MoneyBag) => ({
  shop_money: { amount: bag.shopMoney.amount, currency_code: bag.shopMoney.currencyCode },
  presentment_money: { amount: bag.presentmentMoney.amount, currency_code: bag.presentmentMoney.currencyCode },
});
const taxLine = (t: TaxLine) => ({ rate: t.rate, price_set: set(t.priceSet) });
/** "gid://shopify/LineItem/123" -> "123" */
const numericId = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

/** The REST webhook shape of an Admin GraphQL order (only the fields orderFromShopify reads). */
export function restShapeOfAdminOrder(node: AdminOrderNode): Record<string, unknown> {
  return {
    id: node.legacyResourceId,
    name: node.name,
    test: node.test,
    created_at: node.createdAt,
    cancelled_at: node.cancelledAt,
    currency: node.currencyCode,
    presentment_currency: node.presentmentCurrencyCode,
    taxes_included: node.taxesIncluded,
    cart_token: node.cartToken,
    landing_site: node.customerJourneySummary?.firstVisit?.landingPage ?? null,
    email: node.email,
    browser_ip: node.clientIp,
    note_attributes: node.customAttributes.map((a) => ({ name: a.key, value: a.value })),
    discount_codes: node.discountCodes.map((code) => ({ code })),
    customer: node.customer
      ? {
          id: node.customer.legacyResourceId,
          first_name: node.customer.firstName,
          last_name: node.customer.lastName,
          email: node.customer.defaultEmailAddress?.emailAddress ?? null,
        }
      : null,
    line_items: node.lineItems.nodes.map((line) => ({
      id: numericId(line.id),
      sku: line.sku,
      variant_id: line.variant?.legacyResourceId ?? null,
      product_id: line.product?.legacyResourceId ?? null,
      title: line.title,
      name: line.name,
      quantity: line.quantity,
      current_quantity: line.currentQuantity,
      price_set: set(line.originalUnitPriceSet),
      discount_allocations: line.discountAllocations.map((d) => ({ amount_set: set(d.allocatedAmountSet) })),
      tax_lines: line.taxLines.map(taxLine),
    })),
    shipping_lines: node.shippingLines.nodes.map((line) => ({
      price_set: set(line.originalPriceSet),
      discounted_price_set: set(line.discountedPriceSet),
      tax_lines: line.taxLines.map(taxLine),
    })),
    ...(node.totalTaxSet ? { total_tax_set: set(node.totalTaxSet) } : {}),
    total_price_set: set(node.totalPriceSet),
  };
}

/**
 * The order as paid (original quantities and totals), as orders/paid would have recorded it: refunds made since
 * come as refunds/create of their own, and subtracting them from an order already reduced would count them twice.
 */
export function orderFromAdminGraphql(node: AdminOrderNode): NormalizedOrder {
  return orderFromShopify(restShapeOfAdminOrder(node), { figures: "asPaid" });
}

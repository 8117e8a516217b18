// Reads one order in full through the Admin GraphQL API: RECONCILE_ORDER brings its first line items and
// shipping lines, and the rest follow page by page, each query under Shopify's single-query cost limit
// (app/shopify/documents/reconcile.ts).
import type { AdminGraphql } from "../../shopify/admin-graphql.server.ts";
import { RECONCILE_ORDER, RECONCILE_ORDER_LINE_ITEMS, RECONCILE_ORDER_SHIPPING_LINES } from "../../shopify/documents/index.ts";
import type { AdminLineItem, AdminOrderNode, AdminShippingLine, PageInfo } from "./admin-order.ts";

interface Page<T> {
  pageInfo: PageInfo;
  nodes: T[];
}

/** The order with every line item and shipping line, or null when Shopify has no such order (any more). */
export async function readAdminOrder(graphql: AdminGraphql, id: string): Promise<AdminOrderNode | null> {
  const { data } = await graphql<{ order: (AdminOrderNode & { lineItems: Page<AdminLineItem>; shippingLines: Page<AdminShippingLine> }) | null }>(
    RECONCILE_ORDER,
    { id },
  );
  const order = data.order;
  if (!order) return null;
  const lineItems = [...order.lineItems.nodes];
  for (let page = order.lineItems.pageInfo; page.hasNextPage && page.endCursor; ) {
    const next = await graphql<{ order: { lineItems: Page<AdminLineItem> } | null }>(RECONCILE_ORDER_LINE_ITEMS, { id, after: page.endCursor });
    if (!next.data.order) return null;
    lineItems.push(...next.data.order.lineItems.nodes);
    page = next.data.order.lineItems.pageInfo;
  }
  const shippingLines = [...order.shippingLines.nodes];
  for (let page = order.shippingLines.pageInfo; page.hasNextPage && page.endCursor; ) {
    const next = await graphql<{ order: { shippingLines: Page<AdminShippingLine> } | null }>(RECONCILE_ORDER_SHIPPING_LINES, { id, after: page.endCursor });
    if (!next.data.order) return null;
    shippingLines.push(...next.data.order.shippingLines.nodes);
    page = next.data.order.shippingLines.pageInfo;
  }
  return { ...order, lineItems: { nodes: lineItems }, shippingLines: { nodes: shippingLines } };
}

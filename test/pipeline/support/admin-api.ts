// A loopback stand-in for Shopify's Admin GraphQL API, for reconciliation, on the shared stand-in
// (devkit/shopify-admin/shopify-admin-api.ts: Shopify's real schema, its cost limit and bucket, tokens and their refresh).
// It answers `orders` from a list of orders in GraphQL's shape, filtered by the updated_at bound and the
// financial_status terms of the search query, paged with cursors by `first`; `order(id:)` with the order's line
// items and shipping lines paged the same way.
import type { AdminOrderNode } from "../../../app/pipeline/reconcile/admin-order.ts";
import { startShopifyAdminApi, type AdminApiStandInOptions, type AdminApiStandIn as ShopifyAdminApi } from "../../../devkit/shopify-admin/shopify-admin-api.ts";

type RestMoneySet = { shop_money: { amount: string; currency_code: string }; presentment_money: { amount: string; currency_code: string } };
const bag = (set: RestMoneySet) => ({
  shopMoney: { amount: set.shop_money.amount, currencyCode: set.shop_money.currency_code },
  presentmentMoney: { amount: set.presentment_money.amount, currencyCode: set.presentment_money.currency_code },
});

/** The GraphQL shape Shopify gives the same order as a REST payload from devkit/orders/shopify-order.ts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function adminNodeFromRest(rest: any, landingOrigin = "https://shop.example"): AdminOrderNode {
  return {
    id: `gid://shopify/Order/${rest.id}`,
    legacyResourceId: String(rest.id),
    name: rest.name,
    test: rest.test,
    createdAt: rest.created_at,
    cancelledAt: rest.cancelled_at,
    currencyCode: rest.currency,
    presentmentCurrencyCode: rest.presentment_currency,
    taxesIncluded: rest.taxes_included,
    cartToken: rest.cart_token ?? null,
    email: rest.email,
    clientIp: rest.browser_ip,
    customAttributes: rest.note_attributes.map((a: { name: string; value: string }) => ({ key: a.name, value: a.value })),
    discountCodes: rest.discount_codes.map((d: { code: string }) => d.code),
    customer: rest.customer
      ? {
          legacyResourceId: String(rest.customer.id),
          firstName: rest.customer.first_name,
          lastName: rest.customer.last_name,
          defaultEmailAddress: rest.customer.email ? { emailAddress: rest.customer.email } : null,
        }
      : null,
    customerJourneySummary: rest.landing_site ? { firstVisit: { landingPage: `${landingOrigin}${rest.landing_site}` } } : null,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    lineItems: { nodes: rest.line_items.map((l: any) => ({
      id: `gid://shopify/LineItem/${l.id}`,
      sku: l.sku,
      title: l.title,
      name: l.name,
      quantity: l.quantity,
      currentQuantity: l.current_quantity,
      variant: l.variant_id ? { legacyResourceId: String(l.variant_id) } : null,
      product: l.product_id ? { legacyResourceId: String(l.product_id) } : null,
      originalUnitPriceSet: bag(l.price_set),
      discountAllocations: l.discount_allocations.map((d: { amount_set: RestMoneySet }) => ({ allocatedAmountSet: bag(d.amount_set) })),
      taxLines: l.tax_lines.map((t: { rate: number; price_set: RestMoneySet }) => ({ rate: t.rate, priceSet: bag(t.price_set) })),
    })) },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    shippingLines: { nodes: rest.shipping_lines.map((s: any) => ({
      originalPriceSet: bag(s.price_set),
      discountedPriceSet: bag(s.discounted_price_set),
      taxLines: s.tax_lines.map((t: { rate: number; price_set: RestMoneySet }) => ({ rate: t.rate, priceSet: bag(t.price_set) })),
    })) },
    totalTaxSet: bag(rest.total_tax_set),
    totalPriceSet: bag(rest.total_price_set),
  };
}

export interface StandInOrder {
  node: AdminOrderNode;
  updatedAt: string;
  /** Shopify's financial_status search value; default paid. */
  financialStatus?: string;
}

export interface AdminApiStandIn {
  origin: string;
  /** The shared stand-in underneath: tokens, refreshes, the cost bucket, every request with its outcome. */
  api: ShopifyAdminApi;
  orders: StandInOrder[];
  /** Legacy ids of orders whose `order(id:)` read fails with an internal error. */
  failingReads: Set<string>;
  requests: Array<{ token: string | undefined; query: string; variables: Record<string, unknown> }>;
  close(): Promise<void>;
}

function page<T>(items: T[], args: { first?: number | null; after?: string | null }) {
  if (!args.first) throw new Error("you must provide one of first or last");
  const start = args.after ? Number(args.after) : 0;
  const nodes = items.slice(start, start + args.first);
  const end = start + nodes.length;
  return {
    pageInfo: { hasNextPage: end < items.length, hasPreviousPage: start > 0, endCursor: nodes.length ? String(end) : null, startCursor: nodes.length ? String(start) : null },
    nodes,
    edges: nodes.map((node, i) => ({ node, cursor: String(start + i + 1) })),
  };
}

/** `accessTokens` are accepted without expiry; issue expiring ones through `api.issueTokens()`. */
export async function startAdminApi(accessTokens: string | string[] = [], options: Pick<AdminApiStandInOptions, "clock" | "bucket"> = {}): Promise<AdminApiStandIn> {
  const orders: StandInOrder[] = [];
  const failingReads = new Set<string>();
  // What `order(id:)` resolves to: the stored data, with its line connections answering `first` and `after`.
  const orderValue = (node: AdminOrderNode) => ({
    ...node,
    lineItems: (args: { first?: number; after?: string }) => page(node.lineItems.nodes, args),
    shippingLines: (args: { first?: number; after?: string }) => page(node.shippingLines.nodes, args),
  });
  const api = await startShopifyAdminApi({
    ...options,
    permanentTokens: typeof accessTokens === "string" ? [accessTokens] : accessTokens,
    query: {
      orders: (args: { first?: number; after?: string; query?: string }) => {
        const bound = /updated_at:>='([^']+)'/.exec(args.query ?? "")?.[1];
        if (!bound) throw new Error("stand-in: reconciliation's query names an updated_at bound");
        const statuses = new Set([...(args.query ?? "").matchAll(/financial_status:(\w+)/g)].map((m) => m[1]));
        const matching = orders
          .filter((o) => o.updatedAt >= bound && (statuses.size === 0 || statuses.has(o.financialStatus ?? "paid")))
          .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
        return page(matching.map((o) => orderValue(o.node)), args);
      },
      order: ({ id }: { id: string }) => {
        const found = orders.find((o) => o.node.id === id);
        if (found && failingReads.has(found.node.legacyResourceId)) throw new Error("Internal error. Looks like something went wrong on our end.");
        return found ? orderValue(found.node) : null;
      },
    },
  });
  return {
    origin: api.origin,
    api,
    orders,
    failingReads,
    get requests() {
      return api.graphqlRequests.map((r) => ({ token: r.token, query: r.query, variables: r.variables }));
    },
    close: () => api.close(),
  };
}

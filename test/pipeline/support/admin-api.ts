// A loopback stand-in for Shopify's Admin GraphQL API, for reconciliation: checks the access token and the API
// version in the path, answers the orders query from a list of orders in GraphQL's shape, 50 per page with
// cursors, filtered by the updated_at bound in the search query.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AdminOrderNode } from "../../../app/pipeline/reconcile/admin-order.ts";
import { API_VERSION } from "../../../app/shopify/api-version.ts";

type RestMoneySet = { shop_money: { amount: string; currency_code: string }; presentment_money: { amount: string; currency_code: string } };
const bag = (set: RestMoneySet) => ({
  shopMoney: { amount: set.shop_money.amount, currencyCode: set.shop_money.currency_code },
  presentmentMoney: { amount: set.presentment_money.amount, currencyCode: set.presentment_money.currency_code },
});

/** The GraphQL shape Shopify gives the same order as a REST payload from test/fixtures/shopify-order.ts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function adminNodeFromRest(rest: any, landingOrigin = "https://shop.example"): AdminOrderNode {
  return {
    legacyResourceId: String(rest.id),
    name: rest.name,
    test: rest.test,
    createdAt: rest.created_at,
    processedAt: rest.created_at,
    cancelledAt: rest.cancelled_at,
    currencyCode: rest.currency,
    presentmentCurrencyCode: rest.presentment_currency,
    taxesIncluded: rest.taxes_included,
    email: rest.email,
    clientIp: rest.browser_ip,
    customAttributes: rest.note_attributes.map((a: { name: string; value: string }) => ({ key: a.name, value: a.value })),
    discountCodes: rest.discount_codes.map((d: { code: string }) => d.code),
    customer: rest.customer
      ? { legacyResourceId: String(rest.customer.id), firstName: rest.customer.first_name, lastName: rest.customer.last_name, email: rest.customer.email }
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

export interface AdminApiStandIn {
  origin: string;
  orders: Array<{ node: AdminOrderNode; updatedAt: string }>;
  requests: Array<{ token: string | undefined; query: string; variables: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startAdminApi(accessToken: string): Promise<AdminApiStandIn> {
  const standIn = { orders: [], requests: [] } as unknown as AdminApiStandIn;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || req.url !== `/admin/api/${API_VERSION}/graphql.json`) return answer(404, { errors: "Not Found" });
      const token = req.headers["x-shopify-access-token"] as string | undefined;
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query: string; variables: Record<string, unknown> };
      standIn.requests.push({ token, query, variables });
      if (token !== accessToken) return answer(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      if (!/orders\(first: 50, after: \$after, query: \$query, sortKey: UPDATED_AT\)/.test(query)) return answer(200, { errors: [{ message: "unexpected query" }] });
      const bound = /updated_at:>='([^']+)'/.exec(String(variables.query))?.[1];
      if (!bound) return answer(200, { errors: [{ message: "no updated_at bound" }] });
      const matching = standIn.orders.filter((o) => o.updatedAt >= bound);
      const start = variables.after ? Number(variables.after) : 0;
      const page = matching.slice(start, start + 50);
      const end = start + page.length;
      answer(200, { data: { orders: { pageInfo: { hasNextPage: end < matching.length, endCursor: page.length ? String(end) : null }, nodes: page.map((o) => o.node) } } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  standIn.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return standIn;
}

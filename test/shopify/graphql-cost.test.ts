// Shopify's documented calculated-cost rules as devkit/shopify-admin/graphql-cost.ts applies them, on Shopify's real
// schema, and what the checks of test/shopify/admin-documents.test.ts would have said of reconciliation's query
// as it stood on API version 2025-10.
import { NoDeprecatedCustomRule, parse, specifiedRules, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { adminSchema } from "../../devkit/shopify-admin/admin-schema.ts";
import { QueryCostError, requestedQueryCost } from "../../devkit/shopify-admin/graphql-cost.ts";

const schema = adminSchema();
const cost = (query: string, variables?: Record<string, unknown>) => requestedQueryCost(schema, parse(query), variables);

const MONEY = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }";
// Reconciliation's one query before it was paged: 50 orders, each with 250 line items.
const UNPAGED_RECONCILE_QUERY = `query PaidOrdersForReconciliation($query: String!, $after: String) {
  orders(first: 50, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      legacyResourceId name test createdAt processedAt cancelledAt currencyCode presentmentCurrencyCode taxesIncluded email clientIp
      customAttributes { key value }
      discountCodes
      customer { legacyResourceId firstName lastName email }
      customerJourneySummary { firstVisit { landingPage } }
      lineItems(first: 250) {
        nodes {
          id sku title name quantity currentQuantity
          variant { legacyResourceId }
          product { legacyResourceId }
          originalUnitPriceSet { ${MONEY} }
          discountAllocations { allocatedAmountSet { ${MONEY} } }
          taxLines { rate priceSet { ${MONEY} } }
        }
      }
      shippingLines(first: 20) {
        nodes { originalPriceSet { ${MONEY} } discountedPriceSet { ${MONEY} } taxLines { rate priceSet { ${MONEY} } } }
      }
      totalTaxSet { ${MONEY} }
      totalPriceSet { ${MONEY} }
    }
  }
}`;

describe("requested query cost", () => {
  it("counts scalars and enums 0 and objects 1", () => {
    expect(cost("{ shop { name currencyCode } }")).toBe(1);
    expect(cost("{ shop { name billingAddress { city } } }")).toBe(2);
  });

  it("counts a connection 2 plus first times one node, so nested connections multiply", () => {
    expect(cost("{ products(first: 10) { edges { node { title } } } }")).toBe(2 + 10 * 1);
    expect(cost("{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }")).toBe(2 + 10 * (1 + 2 + 5 * 1));
    expect(cost("{ products(last: 3) { nodes { id } pageInfo { hasNextPage } } }")).toBe(2 + 3);
    expect(cost("query Q($n: Int!) { products(first: $n) { nodes { id } } }", { n: 7 })).toBe(2 + 7);
  });

  it("counts a mutation 10 plus what its payload selects", () => {
    expect(cost(`mutation M($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }`)).toBe(10 + 1);
  });

  it("counts an interface or union as its most expensive possible selection", () => {
    const query = `{ node(id: "gid://shopify/Order/1") { ... on Order { customer { id } } ... on Product { featuredMedia { id } variants(first: 3) { nodes { id } } } } }`;
    expect(cost(query)).toBe(1 + (1 + 2 + 3));
  });

  it("refuses a connection with no first or last, as Shopify does", () => {
    expect(() => cost("{ products { nodes { id } } }")).toThrow(QueryCostError);
  });

  it("prices the unpaged reconciliation query at about 187,000 points, and finds its deprecated Customer.email", () => {
    const old = parse(UNPAGED_RECONCILE_QUERY);
    expect(requestedQueryCost(schema, old)).toBe(186_752);
    expect(validate(schema, old, [...specifiedRules, NoDeprecatedCustomRule]).map((e) => e.message)).toEqual([
      "The field Customer.email is deprecated. Use `defaultEmailAddress.emailAddress` instead.",
    ]);
  });
});

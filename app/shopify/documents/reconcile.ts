// Reconciliation's order reads (app/pipeline/reconcile/). Shopify prices a query before running it and refuses
// one that requests more than 1,000 points, a connection costing `first` times its nodes: so the paid orders are
// listed by id alone, and only an order the webhooks missed is read in full, its line items (and shipping lines)
// paged in their own queries. The costs in the comments follow devkit/shopify-admin/graphql-cost.ts, which
// test/shopify/admin-documents.test.ts holds every document to.

const MONEY = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }";

const PAGE_INFO = "pageInfo { hasNextPage endCursor }";

// 14 points a line: the line, variant, product, the unit price (3), one discount allocation (4), one tax line (4).
const LINE_ITEM_FIELDS = `
  id
  sku
  title
  name
  quantity
  currentQuantity
  variant { legacyResourceId }
  product { legacyResourceId }
  originalUnitPriceSet { ${MONEY} }
  discountAllocations { allocatedAmountSet { ${MONEY} } }
  taxLines { rate priceSet { ${MONEY} } }`;

// 11 points a shipping line.
const SHIPPING_LINE_FIELDS = `
  originalPriceSet { ${MONEY} }
  discountedPriceSet { ${MONEY} }
  taxLines { rate priceSet { ${MONEY} } }`;

/** The ids of orders updated since a moment that the search query calls paid; 252 points a page. */
export const RECONCILE_PAID_ORDER_IDS = `#graphql
query ReconcilePaidOrderIds($query: String!, $after: String) {
  orders(first: 250, after: $after, query: $query, sortKey: UPDATED_AT) {
    ${PAGE_INFO}
    nodes { id legacyResourceId }
  }
}`;

/** One order with its first 50 line items and 10 shipping lines; 826 points. */
export const RECONCILE_ORDER = `#graphql
query ReconcileOrder($id: ID!) {
  order(id: $id) {
    id
    legacyResourceId
    name
    test
    createdAt
    cancelledAt
    currencyCode
    presentmentCurrencyCode
    taxesIncluded
    cartToken
    email
    clientIp
    customAttributes { key value }
    discountCodes
    customer { legacyResourceId firstName lastName defaultEmailAddress { emailAddress } }
    customerJourneySummary { firstVisit { landingPage } }
    totalTaxSet { ${MONEY} }
    totalPriceSet { ${MONEY} }
    lineItems(first: 50) {
      ${PAGE_INFO}
      nodes { ${LINE_ITEM_FIELDS} }
    }
    shippingLines(first: 10) {
      ${PAGE_INFO}
      nodes { ${SHIPPING_LINE_FIELDS} }
    }
  }
}`;

/** The next 60 line items of an order; 843 points. */
export const RECONCILE_ORDER_LINE_ITEMS = `#graphql
query ReconcileOrderLineItems($id: ID!, $after: String!) {
  order(id: $id) {
    lineItems(first: 60, after: $after) {
      ${PAGE_INFO}
      nodes { ${LINE_ITEM_FIELDS} }
    }
  }
}`;

/** The next 80 shipping lines of an order; 883 points. */
export const RECONCILE_ORDER_SHIPPING_LINES = `#graphql
query ReconcileOrderShippingLines($id: ID!, $after: String!) {
  order(id: $id) {
    shippingLines(first: 80, after: $after) {
      ${PAGE_INFO}
      nodes { ${SHIPPING_LINE_FIELDS} }
    }
  }
}`;

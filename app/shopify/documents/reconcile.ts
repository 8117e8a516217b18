// Reconciliation's order reads (app/pipeline/reconcile/).

const MONEY = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }";

/** Orders updated since a moment, paid (fully or partly refunded ones too), 50 per page. */
export const PAID_ORDERS_QUERY = `#graphql
query PaidOrdersForReconciliation($query: String!, $after: String) {
  orders(first: 50, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      legacyResourceId
      name
      test
      createdAt
      processedAt
      cancelledAt
      currencyCode
      presentmentCurrencyCode
      taxesIncluded
      email
      clientIp
      customAttributes { key value }
      discountCodes
      customer { legacyResourceId firstName lastName email }
      customerJourneySummary { firstVisit { landingPage } }
      lineItems(first: 250) {
        nodes {
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
          taxLines { rate priceSet { ${MONEY} } }
        }
      }
      shippingLines(first: 20) {
        nodes {
          originalPriceSet { ${MONEY} }
          discountedPriceSet { ${MONEY} }
          taxLines { rate priceSet { ${MONEY} } }
        }
      }
      totalTaxSet { ${MONEY} }
      totalPriceSet { ${MONEY} }
    }
  }
}`;

// Every Admin GraphQL document the app sends, in one place: test/shopify/admin-documents.test.ts validates each
// one exported from here against Shopify's schema for API_VERSION (no unknown or deprecated field) and holds its
// requested cost under Shopify's single-query limit. A document written anywhere else fails that test.
export * from "./reconcile.ts";
export * from "./storefront.ts";
export * from "./themes.ts";

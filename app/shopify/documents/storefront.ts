// The storefront configuration's metafield (app/storefront/metafield-sync.server.ts).

export const CURRENT_APP_INSTALLATION = `#graphql
  query AffiliateRelayInstallation {
    currentAppInstallation { id }
  }`;

export const STOREFRONT_METAFIELDS_SET = `#graphql
  mutation AffiliateRelayStorefrontConfig($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id }
      userErrors { field message code }
    }
  }`;

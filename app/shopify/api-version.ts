// The one Admin API version the app is built against: app/shopify.server.ts configures Shopify's library with it
// (every Admin API call and webhook the library handles), and shopify.app.toml's [webhooks] api_version names the
// same version (test/shopify/api-version.test.ts holds them together). Shopify supports a version for twelve
// months: move to the newest stable one that both @shopify/shopify-api and @shopify/dev-mcp know.
import { ApiVersion } from "@shopify/shopify-api";

export const API_VERSION = ApiVersion.October26;

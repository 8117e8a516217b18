// The Admin API version the app is built against; shopify.app.toml's webhooks api_version matches it.
export const API_VERSION = "2025-10";

// Refersion's hosts, overridable for loopback test servers. Read at call time, so tests can point them anywhere.
export const REFERSION_WEBHOOK_DEFAULT = "https://inbound-webhooks.refersion.com/tracker/orders/paid";
export const REFERSION_API_DEFAULT = "https://api.refersion.com/v2";

/** The full URL of the server-side "orders paid" webhook (REFERSION_WEBHOOK_URL). */
export function refersionWebhookUrl(): string {
  return process.env.REFERSION_WEBHOOK_URL || REFERSION_WEBHOOK_DEFAULT;
}

/** The REST API v2 base (REFERSION_API_URL); the cancel call is `${base}/conversion/cancel`. */
export function refersionCancelUrl(): string {
  const base = (process.env.REFERSION_API_URL || REFERSION_API_DEFAULT).replace(/\/+$/, "");
  return `${base}/conversion/cancel`;
}

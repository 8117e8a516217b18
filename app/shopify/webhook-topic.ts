// Each webhook route serves one topic (app/routes/webhooks.*.tsx). The body alone does not say which topic it
// was signed for (an orders/cancelled body is a complete order), and X-Shopify-Topic is not covered by the
// signature, so a route refuses any delivery whose topic header is not its own, before it writes anything.

/** Shopify's library compares topics in this form (shopify-api's topicForStorage): "orders/paid" → "ORDERS_PAID". */
function topicKey(topic: string): string {
  return topic.toUpperCase().replace(/[/.]/g, "_");
}

/** Throws a 400 Response (as Remix expects) unless `received` (X-Shopify-Topic) is the route's topic. */
export function requireTopic(received: string, route: string): void {
  if (topicKey(received) !== topicKey(route)) throw new Response(undefined, { status: 400, statusText: "Bad Request" });
}

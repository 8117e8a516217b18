// The uninstall and compliance routes verify through Shopify's library (authenticate.webhook: they are rare, so
// its cost does not matter), then apply the same two rules as the order routes (app/pipeline/webhook-route.server.ts):
// the delivery must be of the route's own topic, and the shop is used in the spelling this app stores.
import { authenticate } from "../shopify.server.ts";
import { shopFromHeader } from "./shop-domain.ts";
import { requireTopic } from "./webhook-topic.ts";

/** authenticate.webhook, refusing (400) a topic other than `topic`; `shop` is lower-cased (app/shopify/shop-domain.ts). */
export async function authenticateWebhookOf(request: Request, topic: string) {
  const context = await authenticate.webhook(request);
  requireTopic(context.topic, topic);
  // The library has already refused any shop header shopFromHeader would not accept.
  return { ...context, shop: shopFromHeader(context.shop) ?? context.shop };
}

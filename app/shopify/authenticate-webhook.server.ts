// The uninstall and compliance routes verify through Shopify's library (authenticate.webhook: they are rare, so
// its cost does not matter), then apply the same two rules as the order routes (app/pipeline/webhook-route.server.ts):
// the delivery must be of the route's own topic, and the shop is used in the spelling this app stores. The payload
// is read again from the same bytes the library verified, with the exact parser the order routes use
// (app/orders/shopify-json.ts): the library's JSON.parse turns a customer id like 9007199254740993 into
// 9007199254740992, which is another customer's id, and customers/redact would scrub the wrong one.
import { parseJsonKeepingBigIntegers } from "../orders/shopify-json.ts";
import { authenticate } from "../shopify.server.ts";
import { shopFromHeader } from "./shop-domain.ts";
import { requireTopic } from "./webhook-topic.ts";

/**
 * authenticate.webhook, refusing (400) a topic other than `topic`; `shop` is lower-cased (app/shopify/shop-domain.ts)
 * and `payload` holds integers beyond 2^53 as their exact digits.
 */
export async function authenticateWebhookOf(request: Request, topic: string) {
  // Read before the library consumes the body; used only once the library has checked its signature.
  const raw = await request.clone().text();
  const context = await authenticate.webhook(request);
  requireTopic(context.topic, topic);
  // The library has already refused any shop header shopFromHeader would not accept.
  return { ...context, shop: shopFromHeader(context.shop) ?? context.shop, payload: parseJsonKeepingBigIntegers(raw) };
}

// Counting and logging what every webhook route answers: wraps a route's handling, so that refusals thrown as
// Responses (bad HMAC 401, wrong topic 400, ...) are counted with the status Shopify saw.
import type { ActionFunctionArgs } from "@remix-run/node";
import { fieldLogger } from "./log.server.ts";
import { webhookAnswered } from "./metrics.server.ts";
import { answerDatabaseOutage } from "../pipeline/webhook-outage.server.ts";

const logger = fieldLogger("webhook");

// The headers are not verified yet when the HMAC fails: bounded, so a forged request cannot flood a log line.
const header = (request: Request, name: string) => request.headers.get(name)?.slice(0, 255).toLowerCase() || undefined;

/** Runs `handle` for the route of `topic`, then counts and logs its answer (or the Response it threw). */
export async function observeWebhook(topic: string, request: Request, handle: () => Promise<Response>): Promise<Response> {
  const started = performance.now();
  let status = 500;
  try {
    const response = await handle();
    status = response.status;
    return response;
  } catch (thrown) {
    if (thrown instanceof Response) status = thrown.status;
    throw thrown;
  } finally {
    const ms = performance.now() - started;
    webhookAnswered(topic, status, ms / 1000);
    logger.info("webhook answered", {
      topic,
      status,
      shop: header(request, "x-shopify-shop-domain"),
      event: header(request, "x-shopify-event-id"),
      ms: Math.round(ms * 10) / 10,
    });
  }
}

/** A Remix action for the webhook route of `topic`, observed; an unreachable database answers 503, as for orders. */
export function observedWebhookAction(topic: string, action: (args: ActionFunctionArgs) => Promise<Response>) {
  return (args: ActionFunctionArgs) => observeWebhook(topic, args.request, () => action(args).catch(answerDatabaseOutage(topic, args.request)));
}

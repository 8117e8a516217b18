// The order webhook routes, as Remix hands them a request: in process (postWebhook, signed as Shopify signs, for
// the route tests), or behind a real HTTP server on loopback (startRouteServer: each request becomes a Fetch
// Request, raw body untouched, so the HMAC is checked on exactly the bytes sent; for the chaos test and the
// ingestion benchmark). The production server is app/server/http.server.ts.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ActionFunctionArgs } from "@remix-run/node";
import { action as cancelled } from "../app/routes/webhooks.orders.cancelled.tsx";
import { action as paid } from "../app/routes/webhooks.orders.paid.tsx";
import { action as refunds } from "../app/routes/webhooks.refunds.create.tsx";
import { signedWebhookRequest, type WebhookOptions } from "./shopify-webhook.ts";

const routes = {
  "orders/paid": paid,
  "orders/cancelled": cancelled,
  "refunds/create": refunds,
} satisfies Record<string, (args: ActionFunctionArgs) => Promise<Response>>;

export type WebhookTopic = keyof typeof routes;

const topicOfPath = (path: string) => Object.keys(routes).find((topic) => path === `/webhooks/${topic}`) as WebhookTopic | undefined;

/** The route's answer to a request: a Response its action throws (Remix's way to answer early) is an answer too. */
export async function routeAnswer(topic: WebhookTopic, request: Request): Promise<Response> {
  try {
    return await routes[topic]({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

export type PostedWebhook = WebhookOptions & {
  /** Set after signing (an X-Shopify-Triggered-At of the caller's own, say). */
  headers?: Record<string, string>;
} & ({ topic: WebhookTopic; route?: WebhookTopic } | { topic: string; /** Another route than the topic's own: a webhook at the wrong address. */ route: WebhookTopic });

/** A webhook signed as Shopify signs it (devkit/shopify-webhook.ts), handed to its route in process. */
export async function postWebhook(options: PostedWebhook): Promise<{ status: number; text: string }> {
  const request = signedWebhookRequest(options);
  for (const [name, value] of Object.entries(options.headers ?? {})) request.headers.set(name, value);
  const response = await routeAnswer(options.route ?? (options.topic as WebhookTopic), request);
  return { status: response.status, text: await response.text() };
}

export interface RouteServer {
  url: string;
  close(): Promise<void>;
}

export async function startRouteServer(): Promise<RouteServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const topic = topicOfPath(req.url ?? "");
      if (!topic || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) });
      routeAnswer(topic, request)
        .catch((thrown: unknown) => new Response(String(thrown), { status: 500 }))
        .then(async (response) => {
          res.writeHead(response.status, { "content-type": response.headers.get("content-type") ?? "text/plain" });
          res.end(await response.text());
        })
        .catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

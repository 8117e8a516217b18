// The order webhook routes behind a real HTTP server on loopback: each request becomes a Fetch Request (raw body
// untouched, so the HMAC is checked on exactly the bytes sent) and goes to the route's own action, as Remix would
// hand it over. For the chaos test and the ingestion benchmark; the production server is app/server/http.server.ts.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ActionFunctionArgs } from "@remix-run/node";
import { action as cancelled } from "../app/routes/webhooks.orders.cancelled.tsx";
import { action as paid } from "../app/routes/webhooks.orders.paid.tsx";
import { action as refunds } from "../app/routes/webhooks.refunds.create.tsx";

const routes: Record<string, (args: ActionFunctionArgs) => Promise<Response>> = {
  "/webhooks/orders/paid": paid,
  "/webhooks/orders/cancelled": cancelled,
  "/webhooks/refunds/create": refunds,
};

export interface RouteServer {
  url: string;
  close(): Promise<void>;
}

export async function startRouteServer(): Promise<RouteServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const action = routes[req.url ?? ""];
      if (!action || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) });
      action({ request, params: {}, context: {} })
        .catch((thrown: unknown) => (thrown instanceof Response ? thrown : new Response(String(thrown), { status: 500 })))
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

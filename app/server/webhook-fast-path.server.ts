// Webhook POSTs served before the Remix request adapter, by the build's own route actions (app/routes/webhooks.*.tsx).
// Measured on the 2-core target (bench/ingest.bench.ts, "serve"): going through @remix-run/express and Remix's
// router (route matching, a second Request, the staticHandler's action call, header copies) cost more CPU per
// webhook than the route's own work. A webhook route is a resource route with no loader, no UI and no parent
// data, so Remix itself would only call its action and hand back what it returns or throws; that is all this does.
// Anything else (another method, a path no webhook route has, a query string Remix would interpret) falls through
// to Remix.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerBuild } from "@remix-run/node";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";

type Action = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;

const WEBHOOK_ROUTE = /^routes\/webhooks\./;

/** "/webhooks/orders/paid" -> the route module's action, for every static webhook route of the build. */
export function webhookActions(build: ServerBuild): Map<string, Action> {
  const actions = new Map<string, Action>();
  for (const route of Object.values(build.routes)) {
    if (!route || !WEBHOOK_ROUTE.test(route.id) || route.parentId !== "root" || !route.path) continue;
    // Dynamic segments or splats need Remix's matching: leave those routes to it.
    if (/[:*$]/.test(route.path)) continue;
    const action = (route.module as { action?: Action; default?: unknown }).action;
    if (typeof action !== "function" || (route.module as { default?: unknown }).default) continue;
    actions.set(`/${route.path}`, action);
  }
  return actions;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

function webRequest(req: IncomingMessage, body: Buffer, controller: AbortController): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: body.length ? new Uint8Array(body) : null,
    signal: controller.signal,
  });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const setCookies = response.headers.getSetCookie();
  if (setCookies.length) headers["set-cookie"] = setCookies;
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  res.writeHead(response.status, response.statusText || undefined, headers);
  res.end(body);
}

/**
 * Express middleware for the webhook routes. Answers what Remix would for a resource route's action: its
 * Response, a thrown Response as it is (marked X-Remix-Catch as Remix marks it), any other error 500 after the
 * build's handleError (app/entry.server.tsx) or console.error.
 */
export function webhookFastPath(build: ServerBuild) {
  const actions = webhookActions(build);
  const handleError =
    (build.entry.module as { handleError?: (error: unknown, args: { request: Request; params: object; context: object }) => void }).handleError ??
    ((error: unknown) => console.error(error));
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction): void => {
    const action = req.method === "POST" && !req.url.includes("?") ? actions.get(req.url) : undefined;
    if (!action) return next();
    const controller = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    void readBody(req)
      .then(async (body) => {
        const request = webRequest(req, body, controller);
        let response: Response;
        try {
          const value = await action({ request, params: {}, context: {} });
          if (!(value instanceof Response)) throw new Error(`the webhook route for ${req.url} returned no Response`);
          response = value;
        } catch (thrown) {
          if (thrown instanceof Response) {
            response = thrown;
            try {
              response.headers.set("X-Remix-Catch", "yes");
            } catch {
              // Immutable headers (Response.redirect): Remix leaves them as they are too.
            }
          } else {
            if (!controller.signal.aborted) handleError(thrown, { request, params: {}, context: {} });
            response = new Response("Unexpected Server Error", { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } });
          }
        }
        await send(res, response);
      })
      .catch(next);
  };
}

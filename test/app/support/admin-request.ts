// Calls the admin's route loaders and actions the way App Bridge does from the embedded page: a fetch with the
// session token as a bearer token (devkit/admin/session-token.ts), to the app's own URL.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { TEST_ENV } from "../../../devkit/admin/serve.ts";
import { sessionToken } from "../../../devkit/admin/session-token.ts";

type RouteFunction = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown>;

export interface RouteAnswer {
  status: number;
  /** The loader's or action's data (parsed JSON when it returned a Response). */
  data: unknown;
  /** Everything the browser would receive, for grepping. */
  text: string;
}

export function adminRequest(
  path: string,
  options: { shop: string; secret?: string; method?: "GET" | "POST"; form?: Record<string, string> },
): Request {
  const token = sessionToken({ shop: options.shop, apiKey: TEST_ENV.SHOPIFY_API_KEY, apiSecret: options.secret ?? TEST_ENV.SHOPIFY_API_SECRET });
  const headers = new Headers({ Authorization: `Bearer ${token}`, Accept: "application/json" });
  if (!options.form) return new Request(`${TEST_ENV.SHOPIFY_APP_URL}${path}`, { method: options.method ?? "GET", headers });
  headers.set("Content-Type", "application/x-www-form-urlencoded");
  return new Request(`${TEST_ENV.SHOPIFY_APP_URL}${path}`, { method: "POST", headers, body: new URLSearchParams(options.form).toString() });
}

async function answerOf(value: unknown): Promise<RouteAnswer> {
  if (value instanceof Response) {
    const text = await value.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: value.status, data, text: text + JSON.stringify([...value.headers]) };
  }
  return { status: 200, data: value, text: JSON.stringify(value) };
}

/** Runs a loader or action; a thrown Response (shopify-app-remix's refusals, 404s) is an answer too. */
export async function callRoute(route: RouteFunction, request: Request, params: Record<string, string> = {}): Promise<RouteAnswer> {
  try {
    return await answerOf(await route({ request, params, context: {} }));
  } catch (thrown) {
    if (thrown instanceof Response) return answerOf(thrown);
    throw thrown;
  }
}

// Admin GraphQL calls made outside a merchant's request (settings import from the command line, the
// reconciliation job, the admin pages' background reads), through Shopify's library: `unauthenticated.admin(shop)`
// loads the shop's offline session and, with expiring offline tokens (app/shopify.server.ts), refreshes the
// access token when it is about to expire and stores the new one. Shopify's library errors become AdminApiError,
// one line each, with the query cost Shopify reported when there is one (app/shopify/query-pacing.ts reads it).
import type { Session } from "@shopify/shopify-api";
import { GraphqlQueryError, HttpResponseError, HttpThrottlingError } from "@shopify/shopify-api";

/** Shopify's `extensions.cost` on every Admin GraphQL answer. */
export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

export interface AdminGraphqlResult<T> {
  data: T;
  cost: QueryCost | null;
}

export type AdminGraphql = <T = unknown>(document: string, variables?: Record<string, unknown>) => Promise<AdminGraphqlResult<T>>;

export class AdminApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status; null when no request was made (the app is not installed on the shop). */
    readonly status: number | null,
    readonly details: { code?: string; cost?: QueryCost; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = "AdminApiError";
  }

  /** Shopify refused the query for now (its cost bucket is empty): it can be sent again after a wait. */
  get throttled(): boolean {
    return this.details.code === "THROTTLED";
  }
}

interface AdminContext {
  session: Session;
  admin: { graphql: (document: string, options?: { variables?: Record<string, unknown>; signal?: AbortSignal }) => Promise<Response> };
}

// As the library's own check: a token within five minutes of its expiry is refreshed before it is used.
const REFRESH_WITHIN_MS = 5 * 60_000;

// One refresh per shop at a time in this process: Shopify replaces the refresh token on every use.
const pendingContexts = new Map<string, Promise<AdminContext>>();

async function loadAdminContext(shop: string): Promise<AdminContext> {
  // Loaded on first use, so that importing this module (the CLI's other commands) needs no Shopify configuration.
  const [{ unauthenticated }, { SessionNotFoundError }] = await Promise.all([import("../shopify.server.ts"), import("@shopify/shopify-app-remix/server")]);
  try {
    return (await unauthenticated.admin(shop)) as unknown as AdminContext;
  } catch (error) {
    if (error instanceof SessionNotFoundError) throw new AdminApiError(`no offline session for ${shop}: the app is not installed there`, null);
    throw adminApiError(error, shop);
  }
}

function adminContext(shop: string): Promise<AdminContext> {
  let pending = pendingContexts.get(shop);
  if (!pending) {
    pending = loadAdminContext(shop).finally(() => pendingContexts.delete(shop));
    pendingContexts.set(shop, pending);
  }
  return pending;
}

function excerpt(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? "");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Shopify's library reports failures in several shapes (and throws a bare Response when a refresh fails). */
export function adminApiError(error: unknown, shop: string): AdminApiError {
  if (error instanceof AdminApiError) return error;
  if (error instanceof Response) {
    return new AdminApiError(`the offline access token for ${shop} could not be refreshed (${error.status})`, error.status);
  }
  if (error instanceof GraphqlQueryError) {
    const body = (error.body ?? {}) as { errors?: { graphQLErrors?: Array<{ message: string; extensions?: { code?: string } }> }; extensions?: { cost?: QueryCost } };
    const errors = body.errors?.graphQLErrors ?? [];
    const code = errors.find((e) => e.extensions?.code)?.extensions?.code;
    const message = errors.map((e) => e.message.split("\n")[0]).join("; ") || error.message;
    return new AdminApiError(`Admin API: ${message}`, 200, { code, cost: body.extensions?.cost });
  }
  if (error instanceof HttpThrottlingError) {
    const retryAfter = error.response.retryAfter;
    return new AdminApiError(`Admin API answered ${error.response.code}: throttled`, error.response.code, {
      code: "THROTTLED",
      retryAfterMs: retryAfter === undefined ? undefined : retryAfter * 1000,
    });
  }
  if (error instanceof HttpResponseError) {
    const body = error.response.body as { errors?: unknown } | undefined;
    const detail = body?.errors && typeof body.errors === "object" && "message" in body.errors ? (body.errors as { message: unknown }).message : body?.errors;
    return new AdminApiError(`Admin API answered ${error.response.code}: ${excerpt(detail ?? error.response.statusText)}`, error.response.code);
  }
  return new AdminApiError(`Admin API request failed: ${error instanceof Error ? error.message : String(error)}`, null);
}

/**
 * A client for one shop's Admin GraphQL API. Fails at once, with status null, when the app has no offline
 * session there (it is not installed). Each call uses the newest stored token and refreshes it when due.
 */
export async function adminGraphqlForShop(shop: string, options: { timeoutMs?: number } = {}): Promise<AdminGraphql> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  let context = await adminContext(shop);
  return async <T>(document: string, variables?: Record<string, unknown>) => {
    if (context.session.isExpired(REFRESH_WITHIN_MS)) context = await adminContext(shop);
    let body: { data?: T; extensions?: { cost?: QueryCost } };
    try {
      const response = await context.admin.graphql(document, { variables, signal: AbortSignal.timeout(timeoutMs) });
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw adminApiError(error, shop);
    }
    if (body.data === undefined) throw new AdminApiError("Admin API answered without data", 200, { cost: body.extensions?.cost });
    return { data: body.data, cost: body.extensions?.cost ?? null };
  };
}

/** Runs one document for a shop and returns its data (the admin pages' reads). */
export async function runAdminDocument<T = unknown>(shop: string, document: string, variables?: Record<string, unknown>): Promise<T> {
  const graphql = await adminGraphqlForShop(shop);
  return (await graphql<T>(document, variables)).data;
}

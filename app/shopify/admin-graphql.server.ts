// Admin GraphQL calls made outside a merchant's request (settings import from the command line, the
// reconciliation job): authenticated with the shop's stored offline session. SHOPIFY_ADMIN_API_ORIGIN points
// the calls at a loopback stand-in in tests; production talks to https://<shop>.
import type { Db } from "../db/client.server.ts";
import { API_VERSION } from "./api-version.ts";

export type AdminGraphql = <T = unknown>(query: string, variables?: Record<string, unknown>) => Promise<T>;

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export async function offlineAccessToken(db: Db, shop: string): Promise<string> {
  const session = await db.session.findFirst({ where: { shop, isOnline: false }, orderBy: { expires: "desc" } });
  if (!session) throw new AdminApiError(`no offline session for ${shop}: the app is not installed there`, null);
  return session.accessToken;
}

export function adminGraphqlFor(shop: string, accessToken: string, timeoutMs = 15_000): AdminGraphql {
  const origin = process.env.SHOPIFY_ADMIN_API_ORIGIN ?? `https://${shop}`;
  const url = `${origin}/admin/api/${API_VERSION}/graphql.json`;
  return async <T>(query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": accessToken, "X-Shopify-Shop-Domain": shop },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new AdminApiError(`Admin API answered ${response.status}: ${text.slice(0, 200)}`, response.status);
    const parsed = JSON.parse(text) as { data?: T; errors?: Array<{ message: string }> };
    if (parsed.errors?.length) throw new AdminApiError(`Admin API: ${parsed.errors.map((e) => e.message).join("; ")}`, response.status);
    return parsed.data as T;
  };
}

export async function adminGraphqlForShop(db: Db, shop: string): Promise<AdminGraphql> {
  return adminGraphqlFor(shop, await offlineAccessToken(db, shop));
}

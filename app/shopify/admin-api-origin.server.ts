// Every request Shopify's library makes (Admin GraphQL, the offline token refresh) goes through one fetch
// function, which app/shopify.server.ts replaces with this one. It never follows a redirect (the requests carry
// an access token or the app's secret, and fetch would forward them to whatever host a redirect names), and when
// SHOPIFY_ADMIN_API_ORIGIN is set (tests only) it sends the shop's /admin/ calls to that loopback stand-in
// instead of https://<shop>. A non-loopback value is refused, so the variable can never send credentials away.
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

export class AdminApiOriginError extends Error {}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The stand-in's origin, or null when the variable is unset. */
export function adminApiStandInOrigin(value = process.env.SHOPIFY_ADMIN_API_ORIGIN): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AdminApiOriginError("SHOPIFY_ADMIN_API_ORIGIN is not a URL");
  }
  if (url.protocol !== "http:" || !LOOPBACK_HOSTS.has(url.hostname) || url.pathname !== "/" || url.search || url.username) {
    throw new AdminApiOriginError("SHOPIFY_ADMIN_API_ORIGIN must be a loopback origin such as http://127.0.0.1:<port> (it is for tests only)");
  }
  return url.origin;
}

/** Where a library request really goes: unchanged, or the same /admin/ path on the stand-in. */
export function adminApiRequestUrl(requested: string, standInOrigin: string | null): string {
  if (!standInOrigin) return requested;
  const url = new URL(requested);
  if (url.protocol !== "https:" || !url.pathname.startsWith("/admin/")) return requested;
  return `${standInOrigin}${url.pathname}${url.search}`;
}

type FetchInput = Parameters<typeof fetch>[0];

function urlOf(input: FetchInput): string {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

export function installAdminApiFetch(base: typeof fetch = globalThis.fetch): void {
  setAbstractFetchFunc(async (input: FetchInput, init?: RequestInit) => {
    const target = adminApiRequestUrl(urlOf(input), adminApiStandInOrigin());
    const request = input instanceof Request ? new Request(target, input) : target;
    return base(request, { ...init, redirect: "manual" });
  });
}

// "Test connection" for Awin. The Conversion API has no call that checks a key without reporting an order, but
// Awin's API token is one per user and the same token is accepted by its other APIs as a bearer token (README.md).
// Listing the user's advertiser accounts proves the token is live and reaches this advertiser; it cannot prove
// that Awin has switched the Conversion API on for the program.
import { responseExcerpt, sendNetworkRequest } from "../http.ts";
import type { CredentialsCheck, NetworkRequest } from "../types.ts";
import { awinAccountsUrl } from "./endpoints.ts";
import type { AwinSettings } from "./settings.ts";

const NOT_PROVEN = "Not checked: whether Awin has enabled the Conversion API for this program (API access needs an Accelerate or Advanced plan).";

export function awinAccountsRequest(settings: Pick<AwinSettings, "apiKey">): NetworkRequest {
  return {
    method: "GET",
    url: awinAccountsUrl(),
    headers: { Accept: "application/json", Authorization: `Bearer ${settings.apiKey}` },
    body: null,
    secretHeaders: ["Authorization"],
  };
}

/** Advertiser account ids in an accounts answer: `{accounts: [...]}` or a bare list. */
export function advertiserAccountIds(body: string): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(list)) return null;
  return list
    .filter((account): account is Record<string, unknown> => Boolean(account) && typeof account === "object")
    .filter((account) => typeof account.accountType !== "string" || account.accountType.toLowerCase() === "advertiser")
    .map((account) => account.accountId)
    // An id JSON read as a number is exact here: Awin's account ids are far below 2^53 (README.md).
    .filter((id): id is string | number => typeof id === "string" || typeof id === "number")
    .map(String);
}

export async function checkAwinCredentials(settings: AwinSettings, options: { signal?: AbortSignal } = {}): Promise<CredentialsCheck> {
  if (!settings.apiKey || !settings.advertiserId) {
    return { outcome: "unverified", message: "Nothing was asked: enter the advertiser id and the API key first." };
  }
  const result = await sendNetworkRequest(awinAccountsRequest(settings), { signal: options.signal });
  if (!result.ok) {
    return { outcome: "unverified", message: `Awin could not be asked (${result.timedOut ? "no answer in time" : "no connection"}): ${result.error}` };
  }
  const { status, body } = result.response;
  if (status === 401 || status === 403) {
    return { outcome: "rejected", message: `Awin did not accept the API key (${status}): copy the token again from Awin's API Credentials page.` };
  }
  if (status < 200 || status >= 300) {
    return { outcome: "unverified", message: `Awin answered ${status}, so the key could not be checked now: ${responseExcerpt(body, 200)}` };
  }
  const ids = advertiserAccountIds(body);
  if (!ids) return { outcome: "unverified", message: `Awin's answer could not be read: ${responseExcerpt(body, 200)}` };
  if (!ids.includes(settings.advertiserId)) {
    return {
      outcome: "rejected",
      message:
        `Awin accepted the API key, but its user cannot reach advertiser ${settings.advertiserId}: check the advertiser id, ` +
        "or ask an admin of the program to add this user in Awin (it can take 10 minutes to apply).",
    };
  }
  return { outcome: "accepted", message: `Awin accepted the API key, and its user can reach advertiser ${settings.advertiserId}. ${NOT_PROVEN}` };
}

// "Test connection" for Retrack: one transaction lookup (`GET /transactions?byOrderNumber=…`, the documented way
// to find a transaction's uuid) for an order number no shop has, with the API token. It reports nothing. What it
// proves: Retrack knows the token. What it cannot: that the event id belongs to the token's program, which
// Retrack checks only when an order is reported.
import { askNetwork, blankFieldsCheck, commonCheckOutcome, unreachableCheck } from "../shared/credentials-check.ts";
import type { CredentialsCheck, NetworkRequest } from "../types.ts";
import { retrackLookupUrl } from "./endpoints.ts";
import type { RetrackSettings } from "./settings.ts";

/** Never a Shopify order name (those are the shop's numbers, with an optional prefix and suffix of the shop's). */
export const RETRACK_CHECK_ORDER_NUMBER = "affiliate-relay-credentials-check";
const WHERE = "Retrack: click your avatar, then Profile";

function lookup(settings: RetrackSettings): NetworkRequest {
  return {
    method: "GET",
    url: retrackLookupUrl(RETRACK_CHECK_ORDER_NUMBER),
    headers: { Accept: "application/json", Authorization: `Bearer ${settings.apiToken}` },
    body: null,
    secretHeaders: ["Authorization"],
  };
}

export async function checkRetrackCredentials(settings: RetrackSettings, options: { signal?: AbortSignal } = {}): Promise<CredentialsCheck> {
  const blank = blankFieldsCheck("Retrack", settings.apiToken ? [] : ["API token"]);
  if (blank) return blank;
  const answer = await askNetwork(lookup(settings), options);
  if (!answer.ok) return unreachableCheck("Retrack", answer);
  const common = commonCheckOutcome("Retrack", answer);
  if (common) return common;
  // 404: the lookup ran and found no such order, as intended. Retrack authenticates before it looks anything up
  // (its "Unauthenticated." 401 comes first), so a 404 still means the token was accepted (inferred, not documented).
  if ((answer.status >= 200 && answer.status < 300) || answer.status === 404) {
    return {
      outcome: "accepted",
      message:
        "Retrack accepted the API token (it answered a transaction lookup). Nothing was reported, so this cannot show that the event id " +
        "belongs to your program: Retrack checks that with the first order.",
    };
  }
  if (answer.status === 401 || answer.status === 403) {
    return { outcome: "rejected", message: `Retrack rejected the API token (${answer.status}): copy it again from ${WHERE}` };
  }
  return { outcome: "unverified", message: `Retrack answered ${answer.status} to the check, which says nothing about the token; nothing was reported` };
}

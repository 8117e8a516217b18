// "Test connection" for Refersion: one read of the REST API (`POST /affiliate/list`, one affiliate), which takes the
// same public/secret key pair as the order webhook (Refersion > Account > Settings > Refersion API). It reports no
// order. What it proves: Refersion's API knows this key pair. What it cannot: that the order webhook (another host)
// tracks orders for the account.
import { askNetwork, blankFieldsCheck, commonCheckOutcome, unreachableCheck } from "../shared/credentials-check.ts";
import type { CredentialsCheck } from "../types.ts";
import { refersionApiUrl } from "./endpoints.ts";
import { refersionPost } from "./request.ts";
import type { RefersionSettings } from "./settings.ts";

const WHERE = "Refersion > Account > Settings > Refersion API";

export async function checkRefersionCredentials(settings: RefersionSettings, options: { signal?: AbortSignal } = {}): Promise<CredentialsCheck> {
  const blank = blankFieldsCheck("Refersion", [...(settings.publicKey ? [] : ["public key"]), ...(settings.secretKey ? [] : ["secret key"])]);
  if (blank) return blank;
  const answer = await askNetwork(refersionPost(refersionApiUrl("/affiliate/list"), settings, { limit: "1", page: "1" }), options);
  if (!answer.ok) return unreachableCheck("Refersion", answer);
  const common = commonCheckOutcome("Refersion", answer);
  if (common) return common;
  if (answer.status >= 200 && answer.status < 300) {
    return {
      outcome: "accepted",
      message:
        "Refersion's API accepted this public and secret key (it listed your affiliates). No order was reported, so this cannot show " +
        "that Refersion tracks orders for the account: the first paid order will.",
    };
  }
  if (answer.status === 401) {
    return { outcome: "rejected", message: `Refersion rejected this public and secret key (401): copy both again from ${WHERE}` };
  }
  // Refersion gives its full REST API to some plans only (inferred from its plan pages, not a documented answer):
  // a 403 may mean "not on your plan" rather than "wrong keys", and the order webhook may still take them.
  if (answer.status === 403) {
    return {
      outcome: "unverified",
      message: `Refersion refused the API call (403): its REST API may not be part of your plan, so the keys could not be checked; orders may still be accepted`,
    };
  }
  return { outcome: "unverified", message: `Refersion answered ${answer.status} to the check, which says nothing about the keys; no order was reported` };
}

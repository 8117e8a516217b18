// The transport and the shared answers of a "test connection" (NetworkDefinition.checkCredentials): one read-only
// request that reports no order, never following a redirect (a 3xx could carry the keys to another host), with
// a time limit. Each network's check.ts decides what its answers prove.
import { responseExcerpt, sendNetworkRequest } from "../http.ts";
import type { CredentialsCheck, NetworkRequest } from "../types.ts";

/** Bodies are read up to this size: a check only needs the first lines of an answer. */
const MAX_BODY_CHARS = 16 * 1024;

export type CheckAnswer = { ok: true; status: number; body: string } | { ok: false; error: string };

export async function askNetwork(request: NetworkRequest, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<CheckAnswer> {
  // The deliveries' sender: it never follows a redirect, and keeps secrets out of its error text.
  const result = await sendNetworkRequest(request, options);
  if (!result.ok) return { ok: false, error: result.error };
  return { ok: true, status: result.response.status, body: result.response.body.slice(0, MAX_BODY_CHARS) };
}

export type CheckResponse = Extract<CheckAnswer, { ok: true }>;

/** No answer at all: nothing about the keys is known. */
export function unreachableCheck(label: string, answer: Extract<CheckAnswer, { ok: false }>): CredentialsCheck {
  return { outcome: "unverified", message: `could not reach ${label} (${answer.error}), so the keys are not checked; nothing was reported` };
}

/** The answers every check reads the same way: a redirect, busy, a server error. Null for the rest. */
export function commonCheckOutcome(label: string, answer: CheckResponse): CredentialsCheck | null {
  const said = responseExcerpt(answer.body, 200);
  const detail = said ? `: ${said}` : "";
  if (answer.status >= 300 && answer.status < 400) {
    return { outcome: "unverified", message: `${label} answered with a redirect (${answer.status}), which is never followed, so the keys are not checked` };
  }
  if (answer.status === 408 || answer.status === 425 || answer.status === 429 || answer.status >= 500) {
    return { outcome: "unverified", message: `${label} is busy or failing (${answer.status})${detail}; try again later: the keys are not checked yet` };
  }
  return null;
}

/** The outcome when a check cannot start: a field the network needs is blank. */
export function blankFieldsCheck(label: string, blank: string[]): CredentialsCheck | null {
  if (!blank.length) return null;
  return { outcome: "rejected", message: `${label} cannot accept these settings: the ${blank.join(" and the ")} ${blank.length > 1 ? "are" : "is"} empty` };
}

// A create Retrack refuses because the order number is taken: the transaction exists already, from an earlier send
// whose success this app could not record (the worker sends again after its lease). The uuid is looked up by
// order number and the conversion counts as delivered, so a later cancellation or refund can still reach it.
//
// Retrack's "update transaction" guide (see simulator.ts) documents the lookup: the
// transactions endpoint with the `byOrderNumber` query parameter, the same bearer token, and an answer whose
// `data` holds the transaction with its `uuid` and `order_number`. Inferred, not documented: that the call is a
// GET (the guide gives only the URL), whether `data` can be a list (both shapes are read), and what a lookup that
// finds nothing answers (any answer without a matching transaction counts as not found).
import { classifyCommon, responseExcerpt } from "../http.ts";
import type { Classification, FollowUpResult, NetworkAnswer, NetworkRequest } from "../types.ts";
import { isCreate } from "./classify.ts";

const TAKEN = /order number has already been taken/i;

/** The lookup for the create's order number, on the create's own host with its own token. */
export function retrackLookupRequest(create: NetworkRequest, orderNumber: string): NetworkRequest {
  const url = new URL(create.url);
  url.search = "";
  url.searchParams.set("byOrderNumber", orderNumber);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(create.headers)) if (/^(authorization|accept)$/i.test(name)) headers[name] = value;
  return { method: "GET", url: url.toString(), headers, body: null, secretHeaders: create.secretHeaders };
}

/** The uuid of the listed transaction with exactly this order number. */
export function listedUuid(body: string, orderNumber: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  for (const item of Array.isArray(data) ? data : [data]) {
    if (!item || typeof item !== "object") continue;
    const { uuid, order_number: number } = item as { uuid?: unknown; order_number?: unknown };
    if (typeof uuid === "string" && uuid && String(number) === orderNumber) return uuid;
  }
  return null;
}

export async function recoverDuplicateCreate(answer: NetworkAnswer, send: (request: NetworkRequest) => Promise<FollowUpResult>): Promise<Classification> {
  const { request, response, classification } = answer;
  if (!isCreate(request) || response.status !== 422 || !TAKEN.test(response.body)) return classification;
  const orderNumber = (request.body as { orderNumber?: unknown } | null)?.orderNumber;
  if (typeof orderNumber !== "string" || !orderNumber) return classification;
  const looked = await send(retrackLookupRequest(request, orderNumber));
  if (!looked.ok) return { kind: "retry", reason: `Retrack already has order ${orderNumber}; looking up its transaction failed: ${looked.error}` };
  const uuid = looked.response.status === 200 ? listedUuid(looked.response.body, orderNumber) : null;
  if (uuid) {
    return {
      kind: "success",
      externalRef: uuid,
      note: `Retrack already had order ${orderNumber} from an earlier send; its transaction ${uuid} was looked up by order number`,
    };
  }
  const lookup = classifyCommon(looked.response, "Retrack (looking up the order number)");
  // A lookup that can work later (or with keys the merchant fixes) settles nothing yet.
  if (lookup.kind === "retry" || lookup.kind === "credentials_rejected") return lookup;
  return {
    kind: "permanent",
    reason: `Retrack refused order ${orderNumber} as already taken, but lists no transaction with that order number (${looked.response.status}: ${responseExcerpt(looked.response.body, 200)})`,
  };
}

// Retrack: 200 means saved. A create answers with the transaction's uuid, which later updates and rejections
// need, so a 200 without one is retried. A transaction Retrack has approved can no longer be changed: that is
// final, shown to the merchant, never retried.
import { classifyCommon, responseExcerpt } from "../http.ts";
import type { Classification, NetworkRequest, NetworkResponse } from "../types.ts";

export function isCreate(request: NetworkRequest | undefined): boolean {
  return !request || /\/transactions\/?$/.test(new URL(request.url).pathname);
}

export function transactionUuid(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { data?: { uuid?: unknown } };
    const uuid = parsed?.data?.uuid;
    return typeof uuid === "string" && uuid.length > 0 ? uuid : null;
  } catch {
    return null;
  }
}

export function classifyRetrack(response: NetworkResponse, request?: NetworkRequest): Classification {
  const { status } = response;
  if (status >= 200 && status < 300) {
    if (!isCreate(request)) return { kind: "success" };
    const uuid = transactionUuid(response.body);
    if (uuid) return { kind: "success", externalRef: uuid };
    return { kind: "retry", reason: `Retrack answered ${status} without a transaction uuid: ${responseExcerpt(response.body, 200)}` };
  }
  if (status >= 400 && status < 500 && status !== 401 && status !== 403 && /approved/i.test(response.body)) {
    return {
      kind: "permanent",
      reason: `Retrack has already approved this transaction, so it can no longer be changed or rejected (${status}): ${responseExcerpt(response.body, 300)}`,
    };
  }
  return classifyCommon(response, "Retrack");
}

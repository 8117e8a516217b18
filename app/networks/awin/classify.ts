// Awin's answers to the Conversion API and the accounts call. The status rules are the shared ones
// (app/networks/http.ts); what is particular to Awin: a 2xx whose body reports errors for the order is a failure
// the merchant must see, and an answer that is not JSON is not a result. README.md says which body shapes are
// read in Awin's documentation and which are inferred.
import { classifyCommon, responseExcerpt } from "../http.ts";
import type { Classification, NetworkRequest, NetworkResponse } from "../types.ts";
import type { AwinOrdersBody } from "./request.ts";

const FAILED_STATUS = /error|fail|reject|invalid|declin|refus/i;

function describe(entry: unknown): string {
  if (typeof entry === "string") return entry;
  if (entry && typeof entry === "object") {
    const record = entry as Record<string, unknown>;
    const message = [record.message, record.error, record.description, record.reason].find((value) => typeof value === "string");
    const reference = typeof record.orderReference === "string" ? `order ${record.orderReference}: ` : "";
    return `${reference}${typeof message === "string" ? message : JSON.stringify(entry)}`;
  }
  return String(entry);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Errors an order's entry in the answer reports: its `errors`, or a failed status. */
function entryErrors(entry: Record<string, unknown>): string[] {
  if (Array.isArray(entry.errors) && entry.errors.length) return entry.errors.map((error) => describe({ orderReference: entry.orderReference, message: describe(error) }));
  if (typeof entry.status === "string" && FAILED_STATUS.test(entry.status)) return [describe({ ...entry, message: entry.message ?? entry.status })];
  return [];
}

/** Errors a parsed answer reports: a top-level `errors` list, or orders marked failed or carrying errors. */
export function reportedErrors(parsed: unknown): string[] {
  if (!isRecord(parsed)) return [];
  const found: string[] = [];
  if (Array.isArray(parsed.errors)) found.push(...parsed.errors.map(describe));
  if (Array.isArray(parsed.orders)) for (const entry of parsed.orders as unknown[]) if (isRecord(entry)) found.push(...entryErrors(entry));
  if (parsed.success === false && found.length === 0) found.push(describe(parsed));
  return found;
}

function advertiserOf(request: NetworkRequest | undefined): string | null {
  if (!request) return null;
  const match = /\/s2s\/advertiser\/([^/]+)\/orders\/?$/.exec(new URL(request.url).pathname);
  return match ? decodeURIComponent(match[1]!) : null;
}

/** What an answer says as a whole: a verdict for every order in the request, or the JSON to read order by order. */
function readAnswer(response: NetworkResponse, request?: NetworkRequest): { verdict: Classification } | { parsed: unknown; said: string } {
  const common = classifyCommon(response, "Awin");
  const said = responseExcerpt(response.body, 300);
  const advertiser = advertiserOf(request);
  if (response.status === 401) {
    return { verdict: { kind: "credentials_rejected", reason: `Awin did not accept the API key (401): copy the token again from Awin's API Credentials page${said ? `: ${said}` : ""}` } };
  }
  if (response.status === 403) {
    return {
      verdict: {
        kind: "credentials_rejected",
        reason:
          `Awin refused access (403): the API key's user may not reach advertiser ${advertiser ?? "account"}, or the program's Awin plan has no API access` +
          (said ? `: ${said}` : ""),
      },
    };
  }
  if (response.status === 404 && advertiser) {
    return { verdict: { kind: "permanent", reason: `Awin has no Conversion API for advertiser ${advertiser} (404): check the advertiser id${said ? `: ${said}` : ""}` } };
  }
  if (common.kind !== "success") return { verdict: common };
  if (response.body.trim() === "") return { verdict: { kind: "success" } };
  try {
    return { parsed: JSON.parse(response.body), said };
  } catch {
    return { verdict: { kind: "retry", reason: `Awin answered ${response.status} with something that is not a JSON result: ${said}` } };
  }
}

const notRecorded = (status: number, errors: string[]): Classification => ({
  kind: "permanent",
  reason: `Awin answered ${status} but did not record the order: ${responseExcerpt(errors.join("; "), 500)}`,
});

export function classifyAwin(response: NetworkResponse, request?: NetworkRequest): Classification {
  const read = readAnswer(response, request);
  if ("verdict" in read) return read.verdict;
  const errors = reportedErrors(read.parsed);
  if (errors.length) return notRecorded(response.status, errors);
  return { kind: "success", note: read.said };
}

const referencesOf = (request: NetworkRequest): string[] =>
  ((request.body as Partial<AwinOrdersBody> | null)?.orders ?? []).map((order) => order.orderReference);

/**
 * The answer to a combined request (batch.ts), for each request combined: an order the answer reports failed is
 * that request's failure alone. Entries are matched by orderReference (by position where an entry has none); an
 * order the answer leaves out is retried rather than taken as recorded (Awin keeps one transaction per reference).
 */
export function classifyAwinEach(response: NetworkResponse, combined: NetworkRequest, parts: readonly NetworkRequest[]): Classification[] {
  const read = readAnswer(response, combined);
  if ("verdict" in read) return parts.map(() => read.verdict);
  const answer = isRecord(read.parsed) ? read.parsed : {};
  // What is said about the request as a whole is said about every order in it.
  const whole = [...(Array.isArray(answer.errors) ? answer.errors.map(describe) : []), ...(answer.success === false && !Array.isArray(answer.orders) ? [describe(answer)] : [])];
  if (whole.length) return parts.map(() => notRecorded(response.status, whole));
  if (!Array.isArray(answer.orders)) return parts.map(() => ({ kind: "success", note: read.said }));
  const entries = (answer.orders as unknown[]).map((entry) => (isRecord(entry) ? entry : {}));
  const byReference = new Map(entries.flatMap((entry) => (typeof entry.orderReference === "string" ? [[entry.orderReference, entry] as const] : [])));
  let position = 0;
  return parts.map((part): Classification => {
    const errors: string[] = [];
    const missing: string[] = [];
    for (const reference of referencesOf(part)) {
      const atPosition = entries[position++];
      const entry = byReference.get(reference) ?? (atPosition && typeof atPosition.orderReference !== "string" ? atPosition : undefined);
      if (!entry) missing.push(reference);
      else errors.push(...entryErrors(entry));
    }
    if (errors.length) return notRecorded(response.status, errors);
    if (missing.length) return { kind: "retry", reason: `Awin answered ${response.status} without a result for order ${missing.join(", ")}: ${read.said}` };
    return { kind: "success", note: responseExcerpt(JSON.stringify(referencesOf(part).map((reference) => byReference.get(reference) ?? null)), 300) };
  });
}

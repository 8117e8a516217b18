// Awin's answers to the Conversion API and the accounts call. The status rules are the shared ones
// (app/networks/http.ts); what is particular to Awin: a 2xx whose body reports errors for the order is a failure
// the merchant must see, and an answer that is not JSON is not a result. README.md says which body shapes are
// read in Awin's documentation and which are inferred.
import { classifyCommon, responseExcerpt } from "../http.ts";
import type { Classification, NetworkRequest, NetworkResponse } from "../types.ts";

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

/** Errors a parsed answer reports: a top-level `errors` list, or orders marked failed or carrying errors. */
export function reportedErrors(parsed: unknown): string[] {
  if (!parsed || typeof parsed !== "object") return [];
  const record = parsed as Record<string, unknown>;
  const found: string[] = [];
  if (Array.isArray(record.errors)) found.push(...record.errors.map(describe));
  if (Array.isArray(record.orders)) {
    for (const order of record.orders as unknown[]) {
      if (!order || typeof order !== "object") continue;
      const entry = order as Record<string, unknown>;
      if (Array.isArray(entry.errors) && entry.errors.length) found.push(...entry.errors.map((error) => describe({ orderReference: entry.orderReference, message: describe(error) })));
      else if (typeof entry.status === "string" && FAILED_STATUS.test(entry.status)) found.push(describe({ ...entry, message: entry.message ?? entry.status }));
    }
  }
  if (record.success === false && found.length === 0) found.push(describe(record));
  return found;
}

function advertiserOf(request: NetworkRequest | undefined): string | null {
  if (!request) return null;
  const match = /\/s2s\/advertiser\/([^/]+)\/orders\/?$/.exec(new URL(request.url).pathname);
  return match ? decodeURIComponent(match[1]!) : null;
}

export function classifyAwin(response: NetworkResponse, request?: NetworkRequest): Classification {
  const common = classifyCommon(response, "Awin");
  const said = responseExcerpt(response.body, 300);
  const advertiser = advertiserOf(request);
  if (response.status === 401) {
    return { kind: "credentials_rejected", reason: `Awin did not accept the API key (401): copy the token again from Awin's API Credentials page${said ? `: ${said}` : ""}` };
  }
  if (response.status === 403) {
    return {
      kind: "credentials_rejected",
      reason:
        `Awin refused access (403): the API key's user may not reach advertiser ${advertiser ?? "account"}, or the program's Awin plan has no API access` +
        (said ? `: ${said}` : ""),
    };
  }
  if (response.status === 404 && advertiser) {
    return { kind: "permanent", reason: `Awin has no Conversion API for advertiser ${advertiser} (404): check the advertiser id${said ? `: ${said}` : ""}` };
  }
  if (common.kind !== "success") return common;
  if (response.body.trim() === "") return { kind: "success" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return { kind: "retry", reason: `Awin answered ${response.status} with something that is not a JSON result: ${said}` };
  }
  const errors = reportedErrors(parsed);
  if (errors.length) {
    return { kind: "permanent", reason: `Awin answered ${response.status} but did not record the order: ${responseExcerpt(errors.join("; "), 500)}` };
  }
  return { kind: "success", note: said };
}

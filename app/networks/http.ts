// Sending a prepared NetworkRequest, and the response rules every network shares (PRODUCT.md "Reliability
// rules"). Each network's classify.ts starts from classifyCommon and adds what is particular to it.
import type { Classification, NetworkDefinition, NetworkRequest, NetworkResponse } from "./types.ts";

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Bodies are read up to this size; a network's answer is never larger in practice. */
const MAX_BODY_BYTES = 64 * 1024;
/** What is kept of a response in logs and reasons. */
export const EXCERPT_CHARS = 2048;

export type SendResult =
  | { ok: true; response: NetworkResponse; durationMs: number }
  | { ok: false; error: string; timedOut: boolean; durationMs: number };

export async function sendNetworkRequest(
  request: NetworkRequest,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("timed out"));
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const onAbort = () => controller.abort(options.signal?.reason ?? new Error("aborted"));
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body === null || request.method === "GET" ? undefined : JSON.stringify(request.body),
      // Never follow: fetch would carry custom secret headers (Refersion-Secret-Key) to whatever host a 307/308
      // names, and turn a POST into a GET on a 302. The 3xx comes back and is classified as a failure.
      redirect: "manual",
      signal: controller.signal,
    });
    const body = await readCapped(response);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    // A Location is logged and shown: it must not echo a secret we sent.
    if (headers.location !== undefined) headers.location = withoutSecrets(headers.location, request);
    return { ok: true, response: { status: response.status, headers, body }, durationMs: elapsed() };
  } catch (error) {
    const message = timedOut
      ? `no answer within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`
      : withoutSecrets(describeTransportError(error), request);
    return { ok: false, error: message, timedOut, durationMs: elapsed() };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8");
}

/** fetch quotes a header it refuses ("… is an invalid header value"): error text is stored and shown, so no secret. */
export function withoutSecrets(text: string, request: NetworkRequest): string {
  let out = text;
  for (const name of request.secretHeaders) {
    const value = request.headers[name];
    if (!value) continue;
    for (const part of new Set([value, ...value.split(/\s+/).filter((piece) => piece.length >= 8)])) out = out.split(part).join("[redacted]");
  }
  return out;
}

function describeTransportError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return `${error.message}: ${code ? `${code} ` : ""}${cause.message}`.trim();
  }
  return error.message;
}

/**
 * What an attempt's outcome means: the transport failure, or the network's classification of its answer, looked
 * at again where the network asks to (follow-up calls go through the same sender, with the same timeout).
 */
export async function classifyAttempt(
  network: Pick<NetworkDefinition, "classify" | "reconsider">,
  request: NetworkRequest,
  result: SendResult,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Classification> {
  if (!result.ok) return classifyTransportFailure(result);
  const classification = network.classify(result.response, request);
  if (!network.reconsider) return classification;
  try {
    return await network.reconsider({ request, response: result.response, classification }, (followUp) => sendNetworkRequest(followUp, options));
  } catch (error) {
    // The answer is known but its meaning could not be settled: ask again later rather than guess.
    return { kind: "retry", reason: `could not settle the network's answer (${classification.kind}): ${withoutSecrets(error instanceof Error ? error.message : String(error), request)}` };
  }
}

/** A connection error or timeout: the network may never have seen the request, so it is always retried. */
export function classifyTransportFailure(error: string | { error: string; timedOut?: boolean }): Classification {
  const text = typeof error === "string" ? error : error.error;
  const timedOut = typeof error === "string" ? false : Boolean(error.timedOut);
  return { kind: "retry", reason: timedOut ? `timed out: ${text}` : `connection failed: ${text}` };
}

/** The first EXCERPT_CHARS characters of a body, on one line, for reasons and logs. */
export function responseExcerpt(body: string, max = EXCERPT_CHARS): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date. Unreadable values are ignored. */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

/** A 3xx: never followed, never a success; its Location (secrets already removed by sendNetworkRequest) is kept. */
export function classifyRedirect(response: NetworkResponse, label = "the network"): Classification | null {
  const { status } = response;
  if (status < 300 || status >= 400) return null;
  const location = response.headers.location?.trim() || null;
  return {
    kind: "redirected",
    location,
    reason:
      `${label} answered ${status} redirecting to ${location ?? "(no Location)"}; redirects are never followed, ` +
      "so nothing was delivered: replay once the endpoint answers directly",
  };
}

/**
 * The status rules shared by all networks: 2xx success; 3xx redirected (a failure of its own); 408/425/429/5xx
 * retry; 401/403 keys rejected; other 4xx permanent.
 */
export function classifyCommon(response: NetworkResponse, label = "the network", now: Date = new Date()): Classification {
  const { status } = response;
  const excerpt = responseExcerpt(response.body, 300);
  const said = excerpt ? `: ${excerpt}` : "";
  if (status >= 200 && status < 300) return { kind: "success" };
  const redirected = classifyRedirect(response, label);
  if (redirected) return redirected;
  if (status === 408 || status === 425 || status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now);
    return {
      kind: "retry",
      reason: `${label} answered ${status} (${status === 429 ? "too many requests" : "try again later"})${said}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now);
    return { kind: "retry", reason: `${label} had a server error (${status})${said}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (status === 401 || status === 403) {
    return { kind: "credentials_rejected", reason: `${label} rejected the keys (${status})${said}` };
  }
  return { kind: "permanent", reason: `${label} refused the request (${status})${said}` };
}

export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown | null;
}

export const REDACTED = "[redacted]";

/** The request as it may be logged or shown: every secret header's value replaced by "[redacted]". */
export function redactRequest(request: NetworkRequest): RedactedRequest {
  const secret = new Set(request.secretHeaders.map((name) => name.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = secret.has(name.toLowerCase()) ? REDACTED : value;
  return { method: request.method, url: request.url, headers, body: request.body ?? null };
}

// Plays Awin on loopback (devkit/simulators starts it as the `simulator` below; nothing production runs imports
// this file): the Conversion API (POST /s2s/advertiser/<id>/orders) and the accounts call the credentials check
// uses (GET /accounts). It enforces what README.md lists as read in Awin's documentation: the key in x-api-key (a
// bearer token for /accounts), the advertiser in the path, at most 1,000 orders a batch, field types and required
// fields, and Awin's 20 calls a minute per user, answered with 429 and Retry-After. Answer bodies are the relay's
// inference (README.md).
import { isObject } from "../../../devkit/simulators/contract.ts";
import { jsonAnswer as json, type IncomingRequest, type SimulatedAnswer, type SimulatorDefinition } from "../../../devkit/simulators/types.ts";
import { currencyExponent } from "../../money/currency.ts";
import { AWC_PATTERN } from "./attribution.ts";
import { AWIN_BATCH_SIZE } from "./batch.ts";
import { AWIN_ORDER_REFERENCE_MAX } from "./map-conversion.ts";
import type { AwinSettings } from "./settings.ts";

export interface AwinSimulatorOptions {
  advertiserId: string;
  apiKey: string;
  /** Calls per user (API key) in a sliding window; Awin's documented limit by default. */
  rateLimit?: { requests: number; perMs: number };
  /** The clock the rate limit reads; tests pass a controlled one. */
  now?: () => number;
}

export type AwinOrderStatus = "accepted" | "duplicate" | "rejected";

const ORDER_FIELDS = new Set([
  "orderReference", "amount", "channel", "currency", "awc", "publisherId", "clickTime", "voucher", "isTest",
  "commissionGroups", "customerAcquisition", "basket", "custom", "transactionTime",
]);

/** Integer minor units of a JSON number in major units, or a problem: no more decimals than the currency has. */
function minorOf(value: unknown, field: string, exponent: number | null, problems: string[]): number | null {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    problems.push(`${field} must be a JSON number${typeof value === "string" ? ", not a string" : ""}`);
    return null;
  }
  const text = String(value);
  const [whole = "0", fraction = ""] = text.split(".");
  if (/e/i.test(text)) problems.push(`${field} is not a plain decimal amount`);
  else if (value < 0) problems.push(`${field} must not be negative`);
  else if (exponent !== null && fraction.length > exponent) problems.push(`${field} has ${fraction.length} decimals, more than the currency's ${exponent}`);
  else if (exponent !== null) return Number(whole + fraction.padEnd(exponent, "0"));
  return null;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

export class AwinSimulator {
  /** Recorded orders by orderReference. */
  readonly orders = new Map<string, Record<string, unknown>>();
  private readonly calls = new Map<string, number[]>();
  private readonly limit: { requests: number; perMs: number };
  private readonly now: () => number;

  constructor(private readonly options: AwinSimulatorOptions) {
    this.limit = options.rateLimit ?? { requests: 20, perMs: 60_000 };
    this.now = options.now ?? Date.now;
  }

  reset() {
    this.orders.clear();
    this.calls.clear();
  }

  handle(request: IncomingRequest): SimulatedAnswer {
    const orders = /^\/s2s\/advertiser\/([^/]+)\/orders\/?$/.exec(request.path);
    if (orders) return this.conversion(request, decodeURIComponent(orders[1]!));
    if (/^\/accounts\/?$/.test(request.path)) return this.accounts(request);
    return json(404, { error: "Not Found" }, false, "unknown");
  }

  /** A 429 once the key's user has made `requests` calls in the last `perMs`; else counts this call. */
  private throttled(key: string, kind: string): SimulatedAnswer | null {
    const now = this.now();
    const recent = (this.calls.get(key) ?? []).filter((at) => at > now - this.limit.perMs);
    this.calls.set(key, recent);
    if (recent.length >= this.limit.requests) {
      const waitMs = recent[0]! + this.limit.perMs - now;
      return {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))) },
        body: JSON.stringify({ error: "Too Many Requests", message: `at most ${this.limit.requests} calls per ${this.limit.perMs / 1000} s per user` }),
        accepted: false,
        kind,
      };
    }
    recent.push(now);
    return null;
  }

  private accounts(request: IncomingRequest): SimulatedAnswer {
    if (request.method !== "GET") return json(405, { error: "Method Not Allowed" }, false, "accounts");
    if (request.headers.authorization !== `Bearer ${this.options.apiKey}`) return json(401, { error: "Unauthorized" }, false, "accounts");
    const limited = this.throttled(this.options.apiKey, "accounts");
    if (limited) return limited;
    const accounts = [{ accountId: Number(this.options.advertiserId), accountName: "Simulated programme", accountType: "advertiser", userRole: "admin" }];
    const type = request.query.type;
    return json(200, { userId: 1, accounts: accounts.filter((account) => !type || account.accountType === type) }, true, "accounts");
  }

  private conversion(request: IncomingRequest, advertiserId: string): SimulatedAnswer {
    const kind = "conversion";
    if (request.method !== "POST") return json(405, { error: "Method Not Allowed" }, false, kind);
    // The Conversion API takes the token bare in x-api-key, not as a bearer token.
    if (request.headers["x-api-key"] !== this.options.apiKey) return json(401, { error: "Unauthorized", message: "invalid or missing x-api-key" }, false, kind);
    const limited = this.throttled(this.options.apiKey, kind);
    if (limited) return limited;
    if (advertiserId !== this.options.advertiserId) {
      return json(403, { error: "Forbidden", message: `no access to advertiser ${advertiserId}` }, false, kind);
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return json(400, { error: "Bad Request", message: "Content-Type must be application/json" }, false, kind);
    }
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      return json(400, { error: "Bad Request", message: "body is not valid JSON" }, false, kind);
    }
    if (!isObject(body) || !Array.isArray(body.orders) || body.orders.length === 0) {
      return json(400, { error: "Bad Request", message: "body must be an object with a non-empty orders array" }, false, kind, { parsed: body });
    }
    if (body.orders.length > AWIN_BATCH_SIZE) {
      const message = `a batch holds at most ${AWIN_BATCH_SIZE} orders, this one ${body.orders.length}`;
      return json(400, { error: "Bad Request", message }, false, kind, { parsed: body, problems: [message] });
    }
    const seen = new Set<string>();
    const results: Array<{ orderReference: unknown; status: AwinOrderStatus; errors?: string[] }> = [];
    const problems: string[] = [];
    for (const [index, order] of (body.orders as unknown[]).entries()) {
      const errors = this.validate(order);
      const reference = isObject(order) ? order.orderReference : undefined;
      if (typeof reference === "string") {
        if (seen.has(reference)) errors.push(`orderReference ${reference} appears twice in this batch`);
        seen.add(reference);
      }
      if (!errors.length) {
        const known = this.orders.get(reference as string);
        if (known && JSON.stringify(known) !== JSON.stringify(order)) errors.push(`orderReference ${String(reference)} was already recorded with other values`);
        else if (known) {
          results.push({ orderReference: reference, status: "duplicate" });
          continue;
        }
      }
      if (errors.length) {
        problems.push(...errors.map((error) => `orders.${index}: ${error}`));
        results.push({ orderReference: reference ?? null, status: "rejected", errors });
        continue;
      }
      this.orders.set(reference as string, order as Record<string, unknown>);
      results.push({ orderReference: reference, status: "accepted" });
    }
    const accepted = results.every((result) => result.status === "accepted");
    return json(200, { orders: results }, accepted, kind, { parsed: body, problems });
  }

  private validate(order: unknown): string[] {
    const problems: string[] = [];
    if (!isObject(order)) return ["each order must be a JSON object"];
    for (const field of Object.keys(order)) if (!ORDER_FIELDS.has(field)) problems.push(`${field} is not a Conversion API field`);
    if (!nonEmpty(order.orderReference)) problems.push("orderReference is required (a string)");
    else if (order.orderReference.length > AWIN_ORDER_REFERENCE_MAX) problems.push(`orderReference is longer than ${AWIN_ORDER_REFERENCE_MAX} characters`);
    if (!nonEmpty(order.channel)) problems.push("channel is required (\"aw\" for Awin)");
    let exponent: number | null = null;
    if (typeof order.currency !== "string" || !/^[A-Z]{3}$/.test(order.currency)) problems.push("currency must be a three-letter ISO 4217 code");
    else {
      try {
        exponent = currencyExponent(order.currency);
      } catch {
        problems.push(`currency ${order.currency} is not an ISO 4217 currency`);
      }
    }
    const amount = minorOf(order.amount, "amount", exponent, problems);
    if (order.voucher !== undefined && typeof order.voucher !== "string") problems.push("voucher must be a string");
    if (order.isTest !== undefined && typeof order.isTest !== "boolean") problems.push("isTest must be true or false");
    if (order.awc !== undefined && (typeof order.awc !== "string" || !AWC_PATTERN.test(order.awc))) problems.push("awc is not an Awin click checksum");
    const byPublisher = order.publisherId !== undefined || order.clickTime !== undefined;
    if (byPublisher && (!Number.isSafeInteger(order.publisherId) || !Number.isSafeInteger(order.clickTime))) {
      problems.push("publisherId and clickTime go together, both integers");
    }
    if (!nonEmpty(order.awc) && !nonEmpty(order.voucher) && !byPublisher) problems.push("one of awc, voucher, or publisherId with clickTime is required");
    if (order.customerAcquisition !== undefined && order.customerAcquisition !== "NEW" && order.customerAcquisition !== "RETURNING") {
      problems.push('customerAcquisition must be "NEW" or "RETURNING"');
    }
    if (!Array.isArray(order.commissionGroups) || order.commissionGroups.length === 0) {
      problems.push("commissionGroups must be a non-empty array");
      return problems;
    }
    let parts = 0;
    order.commissionGroups.forEach((group: unknown, index) => {
      if (!isObject(group)) return void problems.push(`commissionGroups.${index} must be an object`);
      if (!nonEmpty(group.code)) problems.push(`commissionGroups.${index}.code is required`);
      const part = minorOf(group.amount, `commissionGroups.${index}.amount`, exponent, problems);
      if (part !== null) parts += part;
    });
    // Awin balances parts that do not add up against DEFAULT; the relay's own contract is that they add up exactly.
    if (!problems.length && amount !== null && parts !== amount) problems.push(`commissionGroups add up to ${parts} minor units, not the amount ${amount}`);
    return problems;
  }
}

export const simulator: SimulatorDefinition<AwinSettings> = {
  create: (settings, { now, rateLimits, rateLimit }) =>
    new AwinSimulator({ advertiserId: settings.advertiserId, apiKey: settings.apiKey, now, rateLimit: rateLimits ? rateLimit : { requests: Infinity, perMs: 1 } }),
  requiredFields: ["orders", "orders.0.orderReference", "orders.0.amount", "orders.0.channel", "orders.0.currency", "orders.0.commissionGroups"],
  orderReferences: (request) => {
    const orders = (request.body as { orders?: Array<{ orderReference?: unknown }> } | null)?.orders;
    return Array.isArray(orders) ? orders.flatMap((order) => (order?.orderReference === undefined ? [] : [String(order.orderReference)])) : [];
  },
  summarize(request) {
    const orders = (request.body as { orders?: Array<Record<string, unknown>> } | null)?.orders;
    if (!Array.isArray(orders)) return `${request.method} ${request.path}`;
    const listed = orders.slice(0, 3).map((order) => `order ${String(order.orderReference)} amount ${String(order.amount)} ${String(order.currency)}`);
    return `batch of ${orders.length}: ${listed.join("; ")}${orders.length > 3 ? "; …" : ""}`;
  },
};

// Plays Refersion on loopback (devkit/simulators starts it; nothing production runs imports this file): the
// server-side "orders paid" webhook, the v2 conversion cancel call and the v2 affiliate list (what the credentials
// check reads), enforcing the documented contract (https://www.refersion.dev/reference/webhook-tracking): both key
// headers, JSON, cart_id / order_id / currency_code required, each item sku / quantity / price, amounts as JSON
// numbers.
import { isObject, knownCurrency, majorAmount, nonEmptyString, positiveInteger, type Problems } from "../../../devkit/simulators/contract.ts";
import { jsonAnswer as json, type IncomingRequest, type SimulatedAnswer, type SimulatorDefinition } from "../../../devkit/simulators/types.ts";
import type { RefersionSettings } from "./settings.ts";

export interface RefersionKeys {
  publicKey: string;
  secretKey: string;
}

interface Conversion {
  body: Record<string, unknown>;
  ordered: Map<string, number>;
  cancelled: Map<string, number>;
}


/** Checks Refersion's item rules (sku, quantity, price in major units) and hands each well-formed item on. */
function eachValidItem(items: unknown, exponent: number | null, problems: Problems, onItem: (sku: string, quantity: number, index: number) => void) {
  if (!Array.isArray(items) || items.length === 0) return void problems.push("items must be a non-empty array");
  items.forEach((item: unknown, index) => {
    if (!isObject(item)) return problems.push(`items.${index} must be an object`);
    nonEmptyString(item.sku, `items.${index}.sku`, problems);
    positiveInteger(item.quantity, `items.${index}.quantity`, problems);
    majorAmount(item.price, `items.${index}.price`, exponent, problems);
    if (typeof item.sku === "string" && typeof item.quantity === "number") onItem(item.sku, item.quantity, index);
  });
}

export class RefersionSimulator {
  readonly conversions = new Map<string, Conversion>();

  constructor(private readonly keys: RefersionKeys) {}

  reset() {
    this.conversions.clear();
  }

  handle(request: IncomingRequest): SimulatedAnswer {
    const kind = request.path.endsWith("/conversion/cancel")
      ? "cancel"
      : request.path.endsWith("/orders/paid")
        ? "conversion"
        : request.path.endsWith("/affiliate/list")
          ? "check"
          : "unknown";
    if (kind === "unknown") return json(404, { error: "Not found" }, false, kind);
    if (request.method !== "POST") return json(405, { error: "Method not allowed" }, false, kind);
    if (request.headers["refersion-public-key"] !== this.keys.publicKey || request.headers["refersion-secret-key"] !== this.keys.secretKey) {
      // The REST API's documented answer to wrong keys; the order webhook's is its own.
      return kind === "check"
        ? json(401, { error: "Invalid API credentials (error 2)." }, false, kind)
        : json(401, { error: "Invalid or missing Refersion-Public-Key / Refersion-Secret-Key" }, false, kind);
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return json(400, { error: "Content-Type must be application/json" }, false, kind);
    }
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      return json(400, { error: "Body is not valid JSON" }, false, kind);
    }
    return kind === "conversion" ? this.paid(body) : kind === "cancel" ? this.cancel(body) : this.listAffiliates(body);
  }

  /** REST API v2 `affiliate/list`: a read (records nothing); limit and page are strings, at most 100 per call. */
  private listAffiliates(body: unknown): SimulatedAnswer {
    if (!isObject(body)) return json(400, { error: "Bad request, no body" }, false, "check", { parsed: body });
    const problems: Problems = [];
    for (const field of ["limit", "page"]) {
      const value = body[field];
      if (value !== undefined && (typeof value !== "string" || !/^\d+$/.test(value))) problems.push(`${field} must be a number written as a string`);
    }
    if (Number(body.limit ?? 3) > 100) problems.push("limit is at most 100");
    if (problems.length) return json(400, { error: problems.join("; ") }, false, "check", { parsed: body, problems });
    return json(200, { total: 0, results: [] }, false, "check", { parsed: body });
  }

  private paid(body: unknown): SimulatedAnswer {
    const problems: Problems = [];
    if (!isObject(body)) return json(400, { error: "Body must be a JSON object" }, false, "conversion", { parsed: body });
    nonEmptyString(body.cart_id, "cart_id", problems);
    if (typeof body.order_id !== "string" && typeof body.order_id !== "number") problems.push("order_id is required");
    else nonEmptyString(String(body.order_id), "order_id", problems);
    const exponent = knownCurrency(body.currency_code, "currency_code", problems);
    for (const field of ["shipping", "tax", "discount"]) majorAmount(body[field], field, exponent, problems, false);
    if (body.discount_code !== undefined && typeof body.discount_code !== "string") problems.push("discount_code must be a string");
    if (body.customer !== undefined) {
      if (!isObject(body.customer)) problems.push("customer must be an object");
      else for (const [key, value] of Object.entries(body.customer)) if (typeof value !== "string") problems.push(`customer.${key} must be a string`);
    }
    const ordered = new Map<string, number>();
    eachValidItem(body.items, exponent, problems, (sku, quantity) => ordered.set(sku, (ordered.get(sku) ?? 0) + quantity));
    if (problems.length) return json(400, { error: problems.join("; ") }, false, "conversion", { parsed: body, problems });
    this.conversions.set(String(body.order_id), { body, ordered, cancelled: new Map() });
    return json(200, { status: "success" }, true, "conversion", { parsed: body });
  }

  private cancel(body: unknown): SimulatedAnswer {
    const problems: Problems = [];
    if (!isObject(body)) return json(400, { error: "Body must be a JSON object" }, false, "cancel", { parsed: body });
    if (typeof body.order_id !== "string" && typeof body.order_id !== "number") problems.push("order_id is required");
    const conversion = this.conversions.get(String(body.order_id));
    eachValidItem(body.items, null, problems, (sku, quantity, index) => {
      if (!conversion) return;
      const left = (conversion.ordered.get(sku) ?? 0) - (conversion.cancelled.get(sku) ?? 0);
      if (quantity > left) problems.push(`items.${index}: only ${left} of ${sku} left to cancel`);
    });
    if (!problems.length && !conversion) return json(404, { error: `No conversion for order ${String(body.order_id)}` }, false, "cancel", { parsed: body });
    if (problems.length) return json(400, { error: problems.join("; ") }, false, "cancel", { parsed: body, problems });
    for (const item of body.items as Array<{ sku: string; quantity: number }>) {
      conversion!.cancelled.set(item.sku, (conversion!.cancelled.get(item.sku) ?? 0) + item.quantity);
    }
    return json(200, { success: true }, true, "cancel", { parsed: body });
  }
}

export const simulator: SimulatorDefinition<RefersionSettings> = {
  create: (settings) => new RefersionSimulator({ publicKey: settings.publicKey, secretKey: settings.secretKey }),
  failures: {
    "401": { status: 401, headers: { "content-type": "application/json" }, body: '{"error":"Invalid API keys"}' },
    // Refersion's webhook cut off mid-answer: the relay must not take a half answer for a success.
    malformed: { status: 200, headers: { "content-type": "application/json" }, body: '{"status":"succ', cut: true },
  },
  requiredFields: ["cart_id", "order_id", "currency_code", "items", "items.0.sku", "items.0.quantity", "items.0.price"],
  orderReferences: (request) => {
    const id = (request.body as { order_id?: unknown } | null)?.order_id;
    return id === undefined ? [] : [String(id)];
  },
  summarize(request) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const items = Array.isArray(body.items) ? body.items.length : 0;
    return `order ${String(body.order_id)}, ${items} item(s)${body.currency_code ? `, ${String(body.currency_code)}` : ""}`;
  },
};

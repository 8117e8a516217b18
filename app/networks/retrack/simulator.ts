// Plays Retrack on loopback (devkit/simulators starts it; nothing production runs imports this file): its
// transactions API (https://retrack.refunder.com/help/tracking/s2s/transaction and .../update-transaction): bearer token, integer minor units, products, data.uuid in the answer, updates and
// rejections by uuid, no change at all once a transaction is approved, one transaction per order number (a second
// create answers 422 "The order number has already been taken."), and the lookup by order number the update guide
// documents (GET .../transactions?byOrderNumber=<number>, answered with the transaction in `data`). What a lookup
// that finds nothing answers is not documented: this one says 404.
import { randomUUID } from "node:crypto";
import { isObject, knownCurrency, minorAmount, nonEmptyString, positiveInteger, UUID, type Problems } from "../../../devkit/simulators/contract.ts";
import { jsonAnswer as json, type IncomingRequest, type SimulatedAnswer, type SimulatorDefinition } from "../../../devkit/simulators/types.ts";
import type { RetrackSettings } from "./settings.ts";

export interface RetrackTransactionState {
  uuid: string;
  status: "pending" | "approved" | "rejected";
  body: Record<string, unknown>;
  history: Array<Record<string, unknown>>;
}


export class RetrackSimulator {
  readonly transactions = new Map<string, RetrackTransactionState>();

  constructor(private readonly apiToken: string) {}

  reset() {
    this.transactions.clear();
  }

  /** Retrack's staff approving a transaction: afterwards it can be neither updated nor rejected. */
  approve(uuid: string) {
    const transaction = this.transactions.get(uuid);
    if (!transaction) throw new Error(`no Retrack transaction ${uuid}`);
    transaction.status = "approved";
  }

  byOrderNumber(orderNumber: string): RetrackTransactionState | undefined {
    return [...this.transactions.values()].find((t) => t.body.orderNumber === orderNumber);
  }

  handle(request: IncomingRequest): SimulatedAnswer {
    const match = /\/transactions(?:\/([^/]+))?\/?$/.exec(request.path);
    if (!match) return json(404, { message: "Not found." }, false, "unknown");
    const uuid = match[1] ? decodeURIComponent(match[1]) : null;
    const kindGuess = uuid ? "update" : request.method === "GET" ? "lookup" : "conversion";
    if (request.method !== "POST" && !(request.method === "GET" && !uuid)) return json(405, { message: "Method not allowed." }, false, kindGuess);
    if (request.headers.authorization !== `Bearer ${this.apiToken}`) return json(401, { message: "Unauthenticated." }, false, kindGuess);
    if (request.method === "GET") return this.lookup(request);
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      return json(400, { message: "The request body is not valid JSON." }, false, kindGuess);
    }
    if (!isObject(body)) return json(422, { message: "The given data was invalid." }, false, kindGuess, { parsed: body });
    if (!uuid) return this.create(body);
    const transaction = this.transactions.get(uuid);
    const kind = body.status === "rejected" ? "reject" : "update";
    if (!transaction) return json(404, { message: `No transaction ${uuid}.` }, false, kind, { parsed: body });
    if (transaction.status === "approved") {
      return json(422, { message: "The transaction has already been approved and can no longer be changed." }, false, kind, { parsed: body });
    }
    if (kind === "reject") {
      if (Object.keys(body).length !== 1) return json(422, { message: "A rejection carries only the status." }, false, kind, { parsed: body });
      transaction.status = "rejected";
      transaction.history.push(body);
      return json(200, { data: this.view(transaction) }, true, kind, { parsed: body });
    }
    const problems = this.validate(body);
    if (problems.length) return json(422, { message: "The given data was invalid.", errors: problems }, false, kind, { parsed: body, problems });
    if (body.orderNumber !== transaction.body.orderNumber) {
      return json(422, { message: "orderNumber cannot change." }, false, kind, { parsed: body });
    }
    transaction.body = body;
    transaction.history.push(body);
    return json(200, { data: this.view(transaction) }, true, kind, { parsed: body });
  }

  /** Only by order number: the one listing the relay relies on. Never an accepted request (nothing is recorded). */
  private lookup(request: IncomingRequest): SimulatedAnswer {
    const orderNumber = request.query.byOrderNumber;
    if (!orderNumber) return json(422, { message: "byOrderNumber is required." }, false, "lookup");
    const transaction = this.byOrderNumber(orderNumber);
    if (!transaction) return json(404, { message: `No transaction with order number ${orderNumber}.` }, false, "lookup");
    return json(200, { data: this.view(transaction) }, false, "lookup");
  }

  private create(body: Record<string, unknown>): SimulatedAnswer {
    const problems = this.validate(body);
    if (problems.length) return json(422, { message: "The given data was invalid.", errors: problems }, false, "conversion", { parsed: body, problems });
    if (this.byOrderNumber(String(body.orderNumber))) {
      return json(422, { message: "The order number has already been taken." }, false, "conversion", { parsed: body });
    }
    const transaction: RetrackTransactionState = { uuid: randomUUID(), status: "pending", body, history: [body] };
    this.transactions.set(transaction.uuid, transaction);
    return json(200, { data: this.view(transaction) }, true, "conversion", { parsed: body });
  }

  private view(t: RetrackTransactionState) {
    return {
      uuid: t.uuid,
      order_number: t.body.orderNumber,
      order_sum: t.body.orderSum,
      vat_sum: t.body.vatSum,
      currency: t.body.currency,
      status: t.status,
    };
  }

  private validate(body: Record<string, unknown>): Problems {
    const problems: Problems = [];
    if (typeof body.event !== "string" || !UUID.test(body.event)) problems.push("event must be the program event's uuid");
    if (typeof body.click !== "string" || !UUID.test(body.click)) problems.push("click must be a click uuid");
    nonEmptyString(body.orderNumber, "orderNumber", problems);
    minorAmount(body.orderSum, "orderSum", problems);
    minorAmount(body.vatSum, "vatSum", problems);
    minorAmount(body.discountSum, "discountSum", problems, false);
    knownCurrency(body.currency, "currency", problems);
    if (!Array.isArray(body.products) || body.products.length === 0) {
      problems.push("products must be a non-empty array");
      return problems;
    }
    let gross = 0;
    body.products.forEach((product: unknown, index) => {
      if (!isObject(product)) return problems.push(`products.${index} must be an object`);
      if (product.event !== undefined && (typeof product.event !== "string" || !UUID.test(product.event))) problems.push(`products.${index}.event must be a uuid`);
      nonEmptyString(product.reference, `products.${index}.reference`, problems);
      nonEmptyString(product.name, `products.${index}.name`, problems);
      positiveInteger(product.quantity, `products.${index}.quantity`, problems);
      minorAmount(product.price, `products.${index}.price`, problems);
      minorAmount(product.vat, `products.${index}.vat`, problems);
      if (typeof product.price === "number" && typeof product.quantity === "number") gross += product.price * product.quantity;
    });
    // The relay's own contract (PRODUCT.md): the products and the discount add up to the order sum exactly.
    if (!problems.length && gross - Number(body.discountSum ?? 0) !== body.orderSum) {
      problems.push(`sum(price x quantity) - discountSum = ${gross - Number(body.discountSum ?? 0)}, not orderSum ${String(body.orderSum)}`);
    }
    return problems;
  }
}

export const simulator: SimulatorDefinition<RetrackSettings> = {
  create: (settings) => new RetrackSimulator(settings.apiToken),
  failures: {
    "401": { status: 401, headers: { "content-type": "application/json" }, body: '{"message":"Unauthenticated."}' },
  },
  requiredFields: [
    "event", "click", "orderNumber", "orderSum", "vatSum", "currency", "products",
    "products.0.reference", "products.0.name", "products.0.quantity", "products.0.price", "products.0.vat",
  ],
  orderReferences: (request) => {
    const number = (request.body as { orderNumber?: unknown } | null)?.orderNumber;
    return number === undefined ? [] : [String(number)];
  },
  summarize(request) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const what = body.status
      ? `status ${String(body.status)}`
      : `order ${String(body.orderNumber)} orderSum ${String(body.orderSum)} ${String(body.currency)} (minor units)`;
    return `${request.path.replace(/.*\/transactions/, "transactions")} ${what}`;
  },
};

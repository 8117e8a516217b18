// Plays FlexOffers on loopback (devkit/simulators starts it; nothing production runs imports this file): its
// direct-advertiser postback (da.ashx, https://support.flexoffers.com/hc/en-us/articles/4413808838932): a GET whose query carries the sale. orderamount and ordernumber are required; the amount is written with the
// currency's decimals. Like FlexOffers, it answers 200 even when it records nothing, saying why in the body.
import { currencyExponent } from "../../money/currency.ts";
import type { IncomingRequest, SimulatedAnswer, SimulatorDefinition } from "../../../devkit/simulators/types.ts";
import type { FlexoffersSettings } from "./settings.ts";

const text = (status: number, body: string, accepted: boolean, parsed: unknown, problems?: string[]): SimulatedAnswer => ({
  status,
  headers: { "content-type": "text/plain; charset=utf-8" },
  body,
  accepted,
  kind: "conversion",
  parsed,
  ...(problems ? { problems } : {}),
});

export class FlexoffersSimulator {
  readonly sales = new Map<string, Record<string, string>>();

  constructor(private readonly advertiserId: string) {}

  reset() {
    this.sales.clear();
  }

  handle(request: IncomingRequest): SimulatedAnswer {
    const query = request.query;
    if (!request.path.toLowerCase().endsWith("/da.ashx")) return text(404, "Not found", false, query);
    if (request.method !== "GET") return text(405, "Method not allowed", false, query);
    if (query.advertiserid !== this.advertiserId) return text(200, "Error: unknown advertiserid", false, query, ["unknown advertiserid"]);
    if (!query.clickid) return text(200, "No click ID found", false, query, ["clickid is missing"]);
    const problems: string[] = [];
    if (!query.ordernumber) problems.push("ordernumber is required");
    let exponent = 2;
    if (query.currency) {
      try {
        exponent = currencyExponent(query.currency);
      } catch {
        problems.push(`currency ${query.currency} is not an ISO 4217 code`);
      }
    }
    const amount = query.orderamount;
    if (amount === undefined || amount === "") problems.push("orderamount is required");
    else {
      const pattern = exponent === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${exponent}}$`);
      if (!pattern.test(amount)) problems.push(`orderamount "${amount}" must be written with ${exponent} decimals`);
    }
    if (problems.length) return text(400, `Error: ${problems.join("; ")}`, false, query, problems);
    this.sales.set(query.ordernumber!, query);
    return text(200, "Success", true, query);
  }
}

export const simulator: SimulatorDefinition<FlexoffersSettings> = {
  create: (settings) => new FlexoffersSimulator(settings.advertiserId),
  failures: {
    "401": { status: 401, headers: { "content-type": "text/plain" }, body: "Unauthorized" },
    // What FlexOffers' IIS front answers when its handler fails: a 200 that is not the postback's answer.
    malformed: {
      status: 200,
      headers: { "content-type": "text/html" },
      body: '<html><head><title>Object moved</title></head><body><h2>Object moved to <a href="/errors/500.html">here</a>.</h2></body></html>',
    },
    // FlexOffers' own way to fail: HTTP 200 that records nothing.
    "no-click": { status: 200, headers: { "content-type": "text/plain" }, body: "No click ID found" },
  },
  // clickid: FlexOffers records nothing without it ("No click ID found"); advertiserid names the program.
  requiredFields: ["advertiserid", "clickid", "orderamount", "ordernumber"],
  orderReferences: (request) => {
    const number = (request.body as { ordernumber?: unknown } | null)?.ordernumber;
    return number === undefined ? [] : [String(number)];
  },
  summarize(request) {
    const query = (request.body ?? {}) as Record<string, unknown>;
    return `order ${String(query.ordernumber)} amount ${String(query.orderamount)} ${String(query.currency ?? "")}`;
  },
};

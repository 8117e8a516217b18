// The Conversion API takes up to AWIN_BATCH_SIZE orders in one request. Every conversion is mapped as a batch of
// one (map-conversion.ts); this joins such requests of one shop into one, so a worker that has several ready can
// spend one call of Awin's per-user rate limit on them (index.ts: pacing).
import type { NetworkRequest } from "../types.ts";
import { AWIN_KEY_HEADER, type AwinOrder, type AwinOrdersBody } from "./request.ts";

export const AWIN_BATCH_SIZE = 1000;

export class AwinBatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AwinBatchError";
  }
}

function ordersOf(request: NetworkRequest, index: number): AwinOrder[] {
  const body = request.body as Partial<AwinOrdersBody> | null;
  if (request.method !== "POST" || !body || !Array.isArray(body.orders)) {
    throw new AwinBatchError(`request ${index} is not an Awin Conversion API request`);
  }
  return body.orders;
}

/**
 * One request carrying the orders of all `requests`, in their order. They must go to the same advertiser with the
 * same key (one shop's), carry distinct order references and number at most `batchSize` orders in all.
 */
export function combineAwinRequests(requests: readonly NetworkRequest[], batchSize = AWIN_BATCH_SIZE): NetworkRequest {
  const [first] = requests;
  if (!first) throw new AwinBatchError("there is nothing to combine");
  const orders: AwinOrder[] = [];
  const references = new Set<string>();
  requests.forEach((request, index) => {
    if (request.url !== first.url || request.headers[AWIN_KEY_HEADER] !== first.headers[AWIN_KEY_HEADER]) {
      throw new AwinBatchError(`request ${index} goes to another advertiser or with another key: only one shop's requests can share a batch`);
    }
    for (const order of ordersOf(request, index)) {
      if (references.has(order.orderReference)) throw new AwinBatchError(`order reference ${order.orderReference} appears twice`);
      references.add(order.orderReference);
      orders.push(order);
    }
  });
  if (orders.length > batchSize) throw new AwinBatchError(`${orders.length} orders exceed Awin's batch limit of ${batchSize}`);
  const body: AwinOrdersBody = { orders };
  return { ...first, headers: { ...first.headers }, body, secretHeaders: [...first.secretHeaders] };
}

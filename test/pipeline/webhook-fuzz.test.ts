// Whatever is wrong with a signed payload, the order webhook routes answer 200 (recorded, or skipped with a
// reason) or 422 with nothing written: never a 500. Generated payloads (valid orders and refunds with random
// fields replaced, removed or overflowing, big integers written as bare JSON numbers) go through the real route
// actions as Shopify-signed requests, on both databases.
import type { ActionFunctionArgs } from "@remix-run/node";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { action as cancelled } from "../../app/routes/webhooks.orders.cancelled.tsx";
import { action as paid } from "../../app/routes/webhooks.orders.paid.tsx";
import { action as refunds } from "../../app/routes/webhooks.refunds.create.tsx";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { shopifyOrder, shopifyRefund } from "../../devkit/orders/shopify-order.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";
import { webhookHeaders } from "../../devkit/shopify-webhook.ts";
import { DEMO_SETTINGS } from "../../devkit/orders/attributed-order.ts";

const SHOP = "webhook-fuzz.myshopify.com";
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
type Action = (args: ActionFunctionArgs) => Promise<Response>;
type Json = null | boolean | number | string | bigint | Json[] | { [key: string]: Json };

/** JSON text in which bigints are bare integer literals, as Shopify writes 64-bit ids. */
function serialize(value: Json): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `__big${v}__` : v)).replace(/"__big(-?\d+)__"/g, "$1");
}

const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    "garbage", "", "\u0000", "/?click=%00", "-1", "1.234", "1e400", "9".repeat(40), "2026-13-45T99:99:99Z", "+275760-09-13T00:00:00Z",
    "-000001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "NaN", "XXX", "JPY", 1e300, -1, 0.5, Number.MAX_SAFE_INTEGER, 2 ** 60, true, null, {}, [],
    { shop_money: { amount: "1", currency_code: "USD" }, presentment_money: { amount: "1", currency_code: "EUR" } },
    { shop_money: { amount: "90071992547409.91", currency_code: "USD" }, presentment_money: { amount: "90071992547409.91", currency_code: "USD" } },
    [{ amount: "90071992547409.91", amount_set: null }, { amount: "90071992547409.91" }],
  ),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

function pathsOf(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== "object" || value === null || typeof value === "bigint") return [];
  const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

// The fields the edge reads, so that generated edits hit them often; other edits pick any path of the payload.
const FIELDS: Array<Array<string | number>> = [
  ["id"], ["name"], ["created_at"], ["cancelled_at"], ["currency"], ["presentment_currency"], ["taxes_included"], ["landing_site"],
  ["note_attributes"], ["discount_codes"], ["customer"], ["total_tax_set"], ["current_total_tax"], ["total_price"], ["current_total_price_set"],
  ["line_items", 0, "id"], ["line_items", 0, "quantity"], ["line_items", 0, "current_quantity"], ["line_items", 0, "price"], ["line_items", 0, "price_set"],
  ["line_items", 0, "discount_allocations"], ["line_items", 0, "discount_allocations", 0, "amount_set"], ["line_items", 0, "tax_lines", 0, "rate"],
  ["line_items", 1, "variant_id"], ["shipping_lines", 0, "discounted_price_set"], ["shipping_lines", 0, "price"],
  ["order_id"], ["refund_line_items", 0, "line_item_id"], ["refund_line_items", 0, "quantity"], ["refund_line_items", 1, "subtotal_set"],
];

function mutate(base: Json, edits: Array<{ pick: number; field: boolean; value: Json; remove: boolean }>): Json {
  const copy = structuredClone(base);
  for (const edit of edits) {
    const paths = pathsOf(copy);
    if (!paths.length) break;
    const path = edit.field ? FIELDS[edit.pick % FIELDS.length]! : paths[edit.pick % paths.length]!;
    let parent: Json | undefined = copy;
    for (const key of path.slice(0, -1)) parent = typeof parent === "object" && parent !== null ? (parent as Record<string | number, Json>)[key] : undefined;
    if (typeof parent !== "object" || parent === null || typeof parent === "bigint") continue;
    const last = path[path.length - 1]!;
    if (edit.remove && !Array.isArray(parent)) delete (parent as Record<string, Json>)[last];
    else (parent as Record<string | number, Json>)[last] = edit.value;
  }
  return copy;
}

const edits = fc.array(fc.record({ pick: fc.nat(), field: fc.boolean(), value: nasty, remove: fc.boolean() }), { minLength: 1, maxLength: 4 });

const baseOrder = (id: number) =>
  shopifyOrder({
    id,
    currency: "USD",
    presentment: { currency: "EUR", factor: 2 },
    lines: [
      { quantity: 3, currentQuantity: 2, unitPrice: 1250, discounts: [250], taxes: [{ amount: 180, rate: "0.08" }] },
      { quantity: 1, unitPrice: 4000 },
    ],
    shipping: { price: 500, discount: 100, tax: 25 },
    discountCodes: ["WELCOME"],
    noteAttributes: { _retrack_click: "2b1f3c1e-6a5d-4c1b-9f0e-000000000001", _flexoffers_refid: "fo-1" },
  }) as unknown as Json;

describe.each(databaseKinds)("order webhook routes under generated payloads on %s", { timeout: 120_000 }, (kind) => {
  let db: Db;
  let event = 0;
  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
    setDb(db);
    await saveSettingsFile(db, SHOP, { ...DEMO_SETTINGS, currency: "presentment" });
  });
  afterAll(async () => {
    setDb(undefined);
    await closeDriver(db);
    await db.$disconnect();
  });

  const counts = async () => [await db.webhookReceipt.count(), await db.order.count(), await db.delivery.count()];

  async function post(route: Action, topic: string, body: Json): Promise<number> {
    const raw = serialize(body);
    const headers = webhookHeaders({ topic, shop: SHOP, body: null, eventId: `fuzz-${kind}-${++event}` }, raw);
    const before = await counts();
    let status: number;
    try {
      status = (await route({ request: new Request(`https://relay.test/webhooks/${topic}`, { method: "POST", headers, body: raw }), params: {}, context: {} })).status;
    } catch (thrown) {
      if (!(thrown instanceof Response)) throw thrown;
      status = thrown.status;
    }
    const allowed = topic === "refunds/create" ? [200, 422, 503] : [200, 422];
    expect(allowed, `${topic} answered ${status} to ${raw.slice(0, 300)}`).toContain(status);
    if (status !== 200) expect(await counts(), `${topic} ${status} wrote something`).toEqual(before);
    return status;
  }

  it("orders/paid: 200 or 422, and a 422 writes nothing", async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(edits, async (e) => void (await post(paid, "orders/paid", mutate(baseOrder(7_000_000_000 + ++n), e)))), { numRuns: RUNS });
  });

  it("orders/cancelled: 200 or 422, and a 422 writes nothing", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(edits, fc.boolean(), async (e, recordFirst) => {
        const order = baseOrder(7_100_000_000 + ++n);
        if (recordFirst) expect(await post(paid, "orders/paid", order)).toBe(200);
        await post(cancelled, "orders/cancelled", mutate({ ...(order as Record<string, Json>), cancelled_at: "2026-11-21T10:00:00Z" }, e));
      }),
      { numRuns: RUNS },
    );
  });

  it("refunds/create: 200, 422 or (order not recorded) 503, and only a 200 writes", async () => {
    const orderId = 7_200_000_001;
    expect(await post(paid, "orders/paid", baseOrder(orderId))).toBe(200);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(edits, async (e) => {
        const refund = shopifyRefund({
          id: 9_000 + ++n,
          orderId,
          presentment: { currency: "EUR", factor: 2 },
          lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 1125, tax: 90 }, { lineItemId: 10_001, quantity: 1, subtotal: 4000 }],
        }) as unknown as Json;
        await post(refunds, "refunds/create", mutate(refund, e));
      }),
      { numRuns: RUNS },
    );
  });

  it("the cases reported: sums beyond the safe range, cancelled_at garbage", async () => {
    const order = baseOrder(7_300_000_001) as Record<string, Json>;
    const lines = order.line_items as Array<Record<string, Json>>;
    const huge = { amount: "90071992547409.91", amount_set: { shop_money: { amount: "90071992547409.91", currency_code: "USD" }, presentment_money: { amount: "90071992547409.91", currency_code: "EUR" } } };
    const overflow = { ...order, line_items: [{ ...lines[0]!, discount_allocations: [huge, huge] }, lines[1]!] };
    expect(await post(paid, "orders/paid", overflow)).toBe(422);
    expect(await post(paid, "orders/paid", { ...order, cancelled_at: "garbage" })).toBe(422);
    expect(await post(cancelled, "orders/cancelled", { ...order, cancelled_at: "garbage" })).toBe(422);
  });
});

// The edge: Shopify's order and refund payloads (REST webhook shapes) become the project's own model, once.
// Nothing past this file reads a Shopify payload. Amounts become integer minor units in both money sets.
//
// An order Shopify calls paid is not refused for a missing optional field: what can be derived is derived, with a
// note on the order, and an amount that is unknown in one money set only stops pricing in that set
// (app/orders/shopify-money.ts). Only a payload that is not a readable order throws OrderPayloadError.
import { z } from "zod";
import { keptShare } from "../money/arithmetic.ts";
import { ZERO, isNegative, mapDual, subtractDual, sumDual } from "./dual-amount.ts";
import { OrderPayloadError } from "./errors.ts";
import type { DualAmount, NormalizedOrder, NormalizedRefund, OrderCustomer, OrderLine, UnknownAmounts } from "./model.ts";
import { exactId, optionalId } from "./shopify-ids.ts";
import { knownCurrency, MoneyReader, type Currencies } from "./shopify-money.ts";
import { cleanText, cleanUrl } from "./shopper-text.ts";
import { addDecimalStrings } from "./tax-rate.ts";
import { oneLineZodError } from "./zod-error.ts";

export { OrderPayloadError } from "./errors.ts";

// Ids are checked for exactness by exactId(), where the resource's admin_graphql_api_id is at hand.
const id = z.union([
  z.number().nonnegative().refine(Number.isInteger, "expected a numeric id"),
  z.string().regex(/^\d+$/, "expected a numeric id"),
]);
const gid = z.string().nullish();
const amount = z.union([z.string(), z.number()]);
const currencyCode = z.string().regex(/^[A-Z]{3}$/, "expected a three-letter ISO 4217 code");
const money = z.object({ amount, currency_code: currencyCode });
const moneySet = z.object({ shop_money: money, presentment_money: money });

const taxLine = z.object({ price: amount.nullish(), price_set: moneySet.nullish(), rate: z.union([z.number(), z.string()]).nullish() });
const discountAllocation = z.object({ amount: amount.nullish(), amount_set: moneySet.nullish() });

const lineItem = z.object({
  id,
  admin_graphql_api_id: gid,
  sku: z.string().nullish(),
  variant_id: id.nullish(),
  product_id: id.nullish(),
  title: z.string().nullish(),
  name: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  current_quantity: z.number().int().nonnegative().nullish(),
  price: amount.nullish(),
  price_set: moneySet.nullish(),
  discount_allocations: z.array(discountAllocation).nullish(),
  tax_lines: z.array(taxLine).nullish(),
});

const shippingLine = z.object({
  price: amount.nullish(),
  price_set: moneySet.nullish(),
  discounted_price: amount.nullish(),
  discounted_price_set: moneySet.nullish(),
  discount_allocations: z.array(discountAllocation).nullish(),
  tax_lines: z.array(taxLine).nullish(),
});

const orderPayload = z.object({
  id,
  admin_graphql_api_id: gid,
  name: z.string().min(1),
  test: z.boolean().nullish(),
  created_at: z.string().min(1),
  cancelled_at: z.string().nullish(),
  currency: currencyCode,
  presentment_currency: currencyCode.nullish(),
  taxes_included: z.boolean().nullish(),
  cart_token: z.string().nullish(),
  landing_site: z.string().nullish(),
  email: z.string().nullish(),
  browser_ip: z.string().nullish(),
  client_details: z.object({ browser_ip: z.string().nullish() }).nullish(),
  note_attributes: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.null()]) })).nullish(),
  discount_codes: z.array(z.object({ code: z.string() })).nullish(),
  customer: z
    .object({ id: id.nullish(), admin_graphql_api_id: gid, first_name: z.string().nullish(), last_name: z.string().nullish(), email: z.string().nullish() })
    .nullish(),
  line_items: z.array(lineItem).min(1, "an order needs at least one line item"),
  shipping_lines: z.array(shippingLine).nullish(),
  total_tax: amount.nullish(),
  total_tax_set: moneySet.nullish(),
  current_total_tax: amount.nullish(),
  current_total_tax_set: moneySet.nullish(),
  total_price: amount.nullish(),
  total_price_set: moneySet.nullish(),
  current_total_price: amount.nullish(),
  current_total_price_set: moneySet.nullish(),
});

const refundPayload = z.object({
  id,
  admin_graphql_api_id: gid,
  order_id: id,
  created_at: z.string().min(1),
  refund_line_items: z
    .array(
      z.object({
        line_item_id: id,
        quantity: z.number().int().nonnegative(),
        subtotal: amount.nullish(),
        subtotal_set: moneySet.nullish(),
        total_tax: amount.nullish(),
        total_tax_set: moneySet.nullish(),
      }),
    )
    .nullish(),
});

type ShippingLine = z.infer<typeof shippingLine>;

function addRate(total: string, rate: string | number, where: string): string {
  try {
    return addDecimalStrings(total, String(rate));
  } catch {
    throw new OrderPayloadError(`${where}.tax_lines: "${rate}" is not a tax rate`);
  }
}

// Shopify's timestamps: ISO 8601 with an offset ("2021-12-31T19:00:00-05:00"), or UTC ("...Z").
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** A timestamp both databases can store (years 1000 to 9999), as Shopify wrote it. */
function timestamp(value: string, where: string, what = "order"): string {
  const ms = TIMESTAMP.test(value) ? Date.parse(value) : NaN;
  const year = Number.isNaN(ms) ? NaN : new Date(ms).getUTCFullYear();
  if (!(year >= 1000 && year <= 9999)) throw new OrderPayloadError(`not a Shopify ${what}: ${where} "${value.slice(0, 40)}" is not a timestamp`);
  return value;
}

/** unit x quantity, refused where it is beyond what can be counted exactly. */
function lineGross(unit: number, quantity: number, where: string): number {
  const gross = unit * quantity;
  if (!Number.isSafeInteger(gross)) throw new OrderPayloadError(`${where}: ${quantity} units of the price are too large an amount to count exactly`);
  return gross;
}

/** A text field cleaned (app/orders/shopper-text.ts) and trimmed, or null when it is absent or blank. */
function present(value: string | null | undefined): string | null {
  const trimmed = value === null || value === undefined ? "" : cleanText(value).trim();
  return trimmed ? trimmed : null;
}

function parsePayload<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new OrderPayloadError(`not a Shopify ${what}: expected a JSON object`);
  }
  const result = schema.safeParse(payload);
  if (!result.success) throw new OrderPayloadError(`not a Shopify ${what}: ${oneLineZodError(result.error)}`);
  return result.data;
}

function unknownAmounts(reader: MoneyReader): UnknownAmounts | undefined {
  const { shop, presentment } = reader.unknown;
  if (!shop.length && !presentment.length) return undefined;
  return { ...(shop.length ? { shop } : {}), ...(presentment.length ? { presentment } : {}) };
}

export interface OrderReadOptions {
  /**
   * "current" (orders/paid): quantities and totals as the order stands now, which at payment is as paid.
   * "asPaid": the original quantities and totals, leaving out later refunds and removals. A cancellation (refund
   * and restock leave every current_quantity at 0) and reconciliation read it this way, so that the reversal
   * covers everything reported and a later refund is not subtracted twice.
   */
  figures?: "current" | "asPaid";
}

interface ReadLine {
  line: OrderLine;
  /** The line's price, discounts and tax over every unit ever ordered, as Shopify sends them. */
  ordered: { quantity: number; gross: DualAmount; discount: DualAmount; tax: DualAmount };
}

function readShipping(lines: ShippingLine[], reader: MoneyReader) {
  return lines.map((line, index) => {
    const where = `shipping_lines.${index}`;
    const price = reader.read(line.price_set, line.price, `${where}.price`);
    let discounted: DualAmount;
    if (line.discounted_price_set || (line.discounted_price !== undefined && line.discounted_price !== null)) {
      discounted = reader.read(line.discounted_price_set, line.discounted_price, `${where}.discounted_price`);
    } else {
      const discounts = sumDual((line.discount_allocations ?? []).map((d, i) => reader.read(d.amount_set, d.amount, `${where}.discount_allocations.${i}`)));
      discounted = subtractDual(price, discounts);
      if (isNegative(discounted)) throw new OrderPayloadError(`${where}: discounts exceed the price`);
      if (discounts.shop !== 0 || discounts.presentment !== 0) reader.derived(`${where}.discounted_price: derived from the price and its discount allocations`);
    }
    const tax = sumDual((line.tax_lines ?? []).map((t, i) => reader.read(t.price_set, t.price, `${where}.tax_lines.${i}`)));
    return { discounted, tax };
  });
}

/**
 * Sums beyond the safe-integer range (app/money/arithmetic.ts throws RangeError) mean the payload's amounts cannot
 * be counted exactly: such a payload is unreadable, like any other malformed one.
 */
function readable<T>(what: string, convert: () => T): T {
  try {
    return convert();
  } catch (error) {
    if (error instanceof RangeError) throw new OrderPayloadError(`not a Shopify ${what}: its amounts are too large to count exactly`);
    throw error;
  }
}

/** Converts an orders/paid (or orders/cancelled) payload. Throws OrderPayloadError with a one-line message. */
export function orderFromShopify(payload: unknown, options: OrderReadOptions = {}): NormalizedOrder {
  return readable("order", () => readOrder(payload, options));
}

function readOrder(payload: unknown, options: OrderReadOptions): NormalizedOrder {
  const asPaid = options.figures === "asPaid";
  const order = parsePayload(orderPayload, payload, "order");
  const orderId = exactId(order.id, "id", order.admin_graphql_api_id);
  const currencies: Currencies = {
    shop: knownCurrency(order.currency, "currency"),
    presentment: knownCurrency(order.presentment_currency ?? order.currency, "presentment_currency"),
  };
  const reader = new MoneyReader(currencies);
  const notes = reader.notes;

  const read: ReadLine[] = [];
  order.line_items.forEach((item, index) => {
    const where = `line_items.${index}`;
    let quantity = asPaid ? item.quantity : (item.current_quantity ?? item.quantity);
    if (quantity > item.quantity) {
      reader.derived(`${where}: current_quantity ${quantity} is above quantity ${item.quantity}; ${item.quantity} counted`);
      quantity = item.quantity;
    }
    // Removed lines (current_quantity 0) were not bought; nothing about them is reported.
    if (quantity === 0) return;
    const taxRate = (item.tax_lines ?? []).reduce<string | undefined>(
      (total, tax) => (tax.rate === null || tax.rate === undefined ? total : addRate(total ?? "0", tax.rate, where)),
      undefined,
    );
    const lineId = exactId(item.id, `${where}.id`, item.admin_graphql_api_id);
    const variantId = optionalId(item.variant_id, `${where}.variant_id`, notes);
    const sku = present(item.sku) ?? variantId ?? `line-${lineId}`;
    const unitPrice = reader.read(item.price_set, item.price, `${where}.price`);
    const orderedDiscount = sumDual((item.discount_allocations ?? []).map((d, i) => reader.read(d.amount_set, d.amount, `${where}.discount_allocations.${i}`)));
    const orderedTax = sumDual((item.tax_lines ?? []).map((t, i) => reader.read(t.price_set, t.price, `${where}.tax_lines.${i}`)));
    // A line edited down or partly refunded still carries the discounts and taxes of every unit ever ordered:
    // the kept units' share of them is what the shopper kept.
    const reducedBy = quantity < item.quantity;
    const kept = (amount: DualAmount) => (reducedBy ? mapDual(amount, (value) => keptShare(value, item.quantity, quantity)) : amount);
    const discount = kept(orderedDiscount);
    const tax = kept(orderedTax);
    if (reducedBy) reader.derived(`${where}: ${quantity} of ${item.quantity} units kept; its discounts and taxes are the kept units' share`);
    read.push({
      line: {
        id: lineId,
        sku,
        variantId,
        productId: optionalId(item.product_id, `${where}.product_id`, notes),
        title: present(item.title) ?? present(item.name) ?? sku,
        quantity,
        unitPrice,
        discount,
        tax,
        ...(taxRate === undefined ? {} : { taxRate }),
      },
      ordered: { quantity: item.quantity, gross: mapDual(unitPrice, (unit) => lineGross(unit, item.quantity, where)), discount: orderedDiscount, tax: orderedTax },
    });
  });
  if (read.length === 0) throw new OrderPayloadError("not a Shopify order: every line item has a quantity of 0");
  const lines = read.map((r) => r.line);

  const shippingParts = readShipping(order.shipping_lines ?? [], reader);
  const shipping = sumDual(shippingParts.map((p) => p.discounted));
  const shippingTax = sumDual(shippingParts.map((p) => p.tax));
  const taxesIncluded = order.taxes_included ?? false;

  // What the kept lines come to, for totals Shopify left out.
  const linesTax = sumDual(lines.map((line) => line.tax));
  // Every sum a network is sent must be countable exactly: the lines' discounts together too.
  sumDual(lines.map((line) => line.discount));
  const linesPaid = sumDual(lines.map((line) => subtractDual(mapDual(line.unitPrice, (unit) => unit * line.quantity), line.discount)));
  // What lines reduced since payment took away from the order's original totals.
  const reduced = read.filter((r) => r.line.quantity < r.ordered.quantity);
  const removedTax = sumDual(reduced.map((r) => subtractDual(r.ordered.tax, r.line.tax)));
  const removedPaid = sumDual(
    reduced.map((r) =>
      sumDual([
        subtractDual(subtractDual(r.ordered.gross, mapDual(r.line.unitPrice, (unit) => unit * r.line.quantity)), subtractDual(r.ordered.discount, r.line.discount)),
        taxesIncluded ? ZERO : subtractDual(r.ordered.tax, r.line.tax),
      ]),
    ),
  );

  const total = (
    name: "total_tax" | "total_price",
    current: { set: z.infer<typeof moneySet> | null | undefined; plain: string | number | null | undefined },
    original: { set: z.infer<typeof moneySet> | null | undefined; plain: string | number | null | undefined },
    removed: DualAmount,
    fromLines: () => DualAmount,
  ): DualAmount => {
    const has = (figure: typeof current) => Boolean(figure.set) || (figure.plain !== undefined && figure.plain !== null);
    if (!asPaid && has(current)) return reader.read(current.set, current.plain, `current_${name}`);
    if (has(original)) {
      const value = reader.read(original.set, original.plain, name);
      if (asPaid || reduced.length === 0) {
        if (!asPaid) reader.derived(`current_${name}: missing; ${name} used (no line was reduced since payment)`);
        return value;
      }
      reader.derived(`current_${name}: missing; derived from ${name} less what the reduced lines took away`);
      return nonNegative(subtractDual(value, removed), `current_${name}`, reader);
    }
    reader.derived(`${asPaid ? "" : "current_"}${name}: missing; derived from the line items and shipping`);
    return fromLines();
  };
  const totalTax = total(
    "total_tax",
    { set: order.current_total_tax_set, plain: order.current_total_tax },
    { set: order.total_tax_set, plain: order.total_tax },
    removedTax,
    () => sumDual([linesTax, shippingTax]),
  );
  const totalPaid = total(
    "total_price",
    { set: order.current_total_price_set, plain: order.current_total_price },
    { set: order.total_price_set, plain: order.total_price },
    removedPaid,
    () => sumDual([linesPaid, shipping, taxesIncluded ? ZERO : sumDual([linesTax, shippingTax])]),
  );

  // Without Shopify's Level 2 approval for protected customer data, names and emails arrive null, blank or not
  // at all: each is kept only where it says something (README: "Protected customer data").
  const browserIp = present(order.browser_ip) ?? present(order.client_details?.browser_ip);
  const email = present(order.customer?.email) ?? present(order.email);
  const customer: OrderCustomer | null =
    order.customer || email || browserIp
      ? {
          id: optionalId(order.customer?.id, "customer.id", notes, order.customer?.admin_graphql_api_id),
          firstName: present(order.customer?.first_name),
          lastName: present(order.customer?.last_name),
          email,
          ipAddress: browserIp,
        }
      : null;

  const noteAttributes: Record<string, string> = {};
  for (const attribute of order.note_attributes ?? []) {
    if (attribute.value !== null) noteAttributes[cleanText(attribute.name)] = cleanText(String(attribute.value));
  }
  const name = present(order.name);
  if (!name) throw new OrderPayloadError("not a Shopify order: name is blank");

  const unknown = unknownAmounts(reader);
  return {
    id: orderId,
    name,
    reference: name.replace(/^#/, ""),
    test: order.test ?? false,
    createdAt: timestamp(order.created_at, "created_at"),
    cancelledAt: order.cancelled_at === null || order.cancelled_at === undefined ? null : timestamp(order.cancelled_at, "cancelled_at"),
    currencies,
    taxesIncluded,
    cartToken: present(order.cart_token),
    landingSite: order.landing_site === null || order.landing_site === undefined ? null : cleanUrl(order.landing_site),
    noteAttributes,
    discountCodes: (order.discount_codes ?? []).map((d) => present(d.code)).filter((code): code is string => code !== null),
    customer,
    lines,
    shipping,
    shippingTax,
    totalTax,
    totalPaid,
    ...(notes.length ? { notes } : {}),
    ...(unknown ? { unknownAmounts: unknown } : {}),
  };
}

/** A derived total below zero means Shopify's own figures disagree: it counts as zero, with a note. */
function nonNegative(value: DualAmount, where: string, reader: MoneyReader): DualAmount {
  if (!isNegative(value)) return value;
  reader.derived(`${where}: derived below zero; counted as 0`);
  return mapDual(value, (v) => Math.max(0, v));
}

/**
 * Converts a refunds/create payload. Its money sets are checked against the currencies of the order it belongs
 * to when that order is given; without it, the refund's own shop/presentment codes are taken as they come.
 */
export function refundFromShopify(payload: unknown, order?: Pick<NormalizedOrder, "id" | "currencies">): NormalizedRefund {
  return readable("refund", () => readRefund(payload, order));
}

function readRefund(payload: unknown, order?: Pick<NormalizedOrder, "id" | "currencies">): NormalizedRefund {
  const refund = parsePayload(refundPayload, payload, "refund");
  const refundId = exactId(refund.id, "id", refund.admin_graphql_api_id);
  const orderId = exactId(refund.order_id, "order_id");
  if (order && orderId !== order.id) {
    throw new OrderPayloadError(`refund ${refundId} belongs to order ${orderId}, not to order ${order.id}`);
  }
  const items = refund.refund_line_items ?? [];
  const firstSet = items.find((item) => item.subtotal_set)?.subtotal_set;
  let currencies: Currencies;
  if (order) currencies = order.currencies;
  else if (firstSet) {
    currencies = {
      shop: knownCurrency(firstSet.shop_money.currency_code, "refund currency"),
      presentment: knownCurrency(firstSet.presentment_money.currency_code, "refund currency"),
    };
  } else if (items.length === 0) currencies = { shop: "USD", presentment: "USD" }; // no amounts to read
  else throw new OrderPayloadError("refund_line_items carry no money sets: read this refund together with its order");
  const reader = new MoneyReader(currencies);
  const lines = items.map((item, index) => ({
    lineId: exactId(item.line_item_id, `refund_line_items.${index}.line_item_id`),
    quantity: item.quantity,
    subtotal: reader.read(item.subtotal_set, item.subtotal, `refund_line_items.${index}.subtotal`),
    tax: reader.read(item.total_tax_set, item.total_tax, `refund_line_items.${index}.total_tax`),
  }));
  // What networks subtract from a line must be countable exactly.
  sumDual(lines.map((line) => line.subtotal));
  sumDual(lines.map((line) => line.tax));
  const unknown = unknownAmounts(reader);
  return { id: refundId, orderId, createdAt: timestamp(refund.created_at, "created_at", "refund"), lines, ...(unknown ? { unknownAmounts: unknown } : {}) };
}

// The edge: Shopify's order and refund payloads (REST webhook shapes) become the project's own model, once.
// Nothing past this file reads a Shopify payload. Amounts become integer minor units in both money sets.
import { z } from "zod";
import { sumMinor } from "../money/arithmetic.ts";
import { currencyExponent, MoneyFormatError, parseMinorUnits, UnknownCurrencyError } from "../money/currency.ts";
import type { DualAmount, NormalizedOrder, NormalizedRefund, OrderCustomer, OrderLine } from "./model.ts";
import { addDecimalStrings } from "./tax-rate.ts";
import { oneLineZodError } from "./zod-error.ts";

/** The payload is not an order (or refund) this app can read. The message is one line, for merchants. */
export class OrderPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OrderPayloadError";
  }
}

// Ids are checked for exactness by exactId() below, where the payload's admin_graphql_api_id is at hand.
const id = z.union([
  z.number().nonnegative().refine(Number.isInteger, "expected a numeric id"),
  z.string().regex(/^\d+$/, "expected a numeric id"),
]);
const gid = z.string().nullish();
const amount = z.union([z.string(), z.number()]);
const currencyCode = z.string().regex(/^[A-Z]{3}$/, "expected a three-letter ISO 4217 code");
const money = z.object({ amount, currency_code: currencyCode });
const moneySet = z.object({ shop_money: money, presentment_money: money });

const taxLine = z.object({ price: amount.optional(), price_set: moneySet.optional(), rate: z.union([z.number(), z.string()]).nullish() });
const discountAllocation = z.object({ amount: amount.optional(), amount_set: moneySet.optional() });

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
  price: amount.optional(),
  price_set: moneySet.optional(),
  discount_allocations: z.array(discountAllocation).nullish(),
  tax_lines: z.array(taxLine).nullish(),
});

const shippingLine = z.object({
  price: amount.optional(),
  price_set: moneySet.optional(),
  discounted_price: amount.optional(),
  discounted_price_set: moneySet.optional(),
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
  total_tax: amount.optional(),
  total_tax_set: moneySet.optional(),
  current_total_tax: amount.optional(),
  current_total_tax_set: moneySet.optional(),
  total_price: amount.optional(),
  total_price_set: moneySet.optional(),
  current_total_price: amount.optional(),
  current_total_price_set: moneySet.optional(),
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
        subtotal: amount.optional(),
        subtotal_set: moneySet.optional(),
        total_tax: amount.optional(),
        total_tax_set: moneySet.optional(),
      }),
    )
    .nullish(),
});

type MoneySet = z.infer<typeof moneySet>;

const MAX_ID = 2n ** 64n - 1n;

/**
 * A Shopify id as its exact decimal text. Ids are 64-bit: a number beyond 2^53 has already been changed by the
 * JSON parse that produced it, so it is taken from the resource's admin_graphql_api_id ("gid://shopify/Order/<id>")
 * when that names the same number, and refused otherwise (parse bodies with app/orders/shopify-json.ts).
 */
function exactId(value: number | string, where: string, graphqlId?: string | null): string {
  if (typeof value === "string") {
    const digits = BigInt(value);
    if (digits > MAX_ID) throw new OrderPayloadError(`${where}: ${value} is not a 64-bit id`);
    return digits.toString();
  }
  if (Number.isSafeInteger(value)) return String(value);
  const fromGid = graphqlId ? /\/(\d+)$/.exec(graphqlId)?.[1] : undefined;
  if (fromGid !== undefined && Number(fromGid) === value) return exactId(fromGid, where);
  throw new OrderPayloadError(`${where}: the id ${value} is beyond 2^53 and was read inexactly`);
}

/**
 * An id the order can do without (variant, product, customer): one that was read inexactly is left out rather
 * than recorded wrong, and the order keeps a note saying so.
 */
function optionalId(value: number | string | null | undefined, where: string, notes: string[], graphqlId?: string | null): string | null {
  if (value === null || value === undefined) return null;
  try {
    return exactId(value, where, graphqlId);
  } catch (error) {
    if (!(error instanceof OrderPayloadError) || typeof value !== "number") throw error;
    notes.push(`${error.message}: left out`);
    return null;
  }
}
type Currencies = { shop: string; presentment: string };

/** Reads one amount in both money sets, checking each set's currency so the two can never be swapped. */
function dual(set: MoneySet | undefined, fallback: string | number | undefined, currencies: Currencies, where: string): DualAmount {
  if (set) {
    if (set.shop_money.currency_code !== currencies.shop) {
      throw new OrderPayloadError(`${where}: shop_money is in ${set.shop_money.currency_code}, but the shop currency is ${currencies.shop}`);
    }
    if (set.presentment_money.currency_code !== currencies.presentment) {
      throw new OrderPayloadError(
        `${where}: presentment_money is in ${set.presentment_money.currency_code}, but the order was presented in ${currencies.presentment}`,
      );
    }
    return {
      shop: minor(set.shop_money.amount, currencies.shop, where),
      presentment: minor(set.presentment_money.amount, currencies.presentment, where),
    };
  }
  if (fallback === undefined) return { shop: 0, presentment: 0 };
  // Older payloads carry only the shop amount; it stands for both only when both currencies are the same.
  if (currencies.shop !== currencies.presentment) {
    throw new OrderPayloadError(`${where}: the money set is missing, so the ${currencies.presentment} amount is unknown`);
  }
  const value = minor(fallback, currencies.shop, where);
  return { shop: value, presentment: value };
}

function minor(value: string | number, currency: string, where: string): number {
  try {
    const parsed = parseMinorUnits(value, currency);
    if (parsed < 0) throw new MoneyFormatError(`"${value}" is negative`);
    return parsed;
  } catch (error) {
    if (error instanceof MoneyFormatError || error instanceof UnknownCurrencyError) {
      throw new OrderPayloadError(`${where}: ${error.message}`);
    }
    throw error;
  }
}

function addRate(total: string, rate: string | number, where: string): string {
  try {
    return addDecimalStrings(total, String(rate));
  } catch {
    throw new OrderPayloadError(`${where}.tax_lines: "${rate}" is not a tax rate`);
  }
}

function addDual(amounts: DualAmount[]): DualAmount {
  return { shop: sumMinor(amounts.map((a) => a.shop)), presentment: sumMinor(amounts.map((a) => a.presentment)) };
}

function subtractDual(a: DualAmount, b: DualAmount, where: string): DualAmount {
  const result = { shop: a.shop - b.shop, presentment: a.presentment - b.presentment };
  if (result.shop < 0 || result.presentment < 0) throw new OrderPayloadError(`${where}: discounts exceed the price`);
  return result;
}

function parsePayload<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new OrderPayloadError(`not a Shopify ${what}: expected a JSON object`);
  }
  const result = schema.safeParse(payload);
  if (!result.success) throw new OrderPayloadError(`not a Shopify ${what}: ${oneLineZodError(result.error)}`);
  return result.data;
}

function knownCurrency(code: string, where: string): string {
  try {
    currencyExponent(code);
    return code;
  } catch (error) {
    if (error instanceof UnknownCurrencyError) throw new OrderPayloadError(`${where}: ${error.message}`);
    throw error;
  }
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

/** Converts an orders/paid (or orders/cancelled) payload. Throws OrderPayloadError with a one-line message. */
export function orderFromShopify(payload: unknown, options: OrderReadOptions = {}): NormalizedOrder {
  const asPaid = options.figures === "asPaid";
  const order = parsePayload(orderPayload, payload, "order");
  const orderId = exactId(order.id, "id", order.admin_graphql_api_id);
  const notes: string[] = [];
  const currencies: Currencies = {
    shop: knownCurrency(order.currency, "currency"),
    presentment: knownCurrency(order.presentment_currency ?? order.currency, "presentment_currency"),
  };

  const lines: OrderLine[] = [];
  order.line_items.forEach((item, index) => {
    const where = `line_items.${index}`;
    const quantity = asPaid ? item.quantity : (item.current_quantity ?? item.quantity);
    // Removed lines (current_quantity 0) were not bought; nothing about them is reported.
    if (quantity === 0) return;
    const taxRate = (item.tax_lines ?? []).reduce<string | undefined>(
      (total, tax) => (tax.rate === null || tax.rate === undefined ? total : addRate(total ?? "0", tax.rate, where)),
      undefined,
    );
    const lineId = exactId(item.id, `${where}.id`, item.admin_graphql_api_id);
    const variantId = optionalId(item.variant_id, `${where}.variant_id`, notes);
    const sku = item.sku?.trim() || variantId || `line-${lineId}`;
    lines.push({
      id: lineId,
      sku,
      variantId,
      productId: optionalId(item.product_id, `${where}.product_id`, notes),
      title: item.title?.trim() || item.name?.trim() || sku,
      quantity,
      unitPrice: dual(item.price_set, item.price, currencies, `${where}.price`),
      discount: addDual(
        (item.discount_allocations ?? []).map((d, i) => dual(d.amount_set, d.amount, currencies, `${where}.discount_allocations.${i}`)),
      ),
      tax: addDual((item.tax_lines ?? []).map((t, i) => dual(t.price_set, t.price, currencies, `${where}.tax_lines.${i}`))),
      ...(taxRate === undefined ? {} : { taxRate }),
    });
  });
  if (lines.length === 0) throw new OrderPayloadError("not a Shopify order: every line item has a quantity of 0");

  const shippingParts = (order.shipping_lines ?? []).map((line, index) => {
    const where = `shipping_lines.${index}`;
    const price = dual(line.price_set, line.price, currencies, `${where}.price`);
    const discounted =
      line.discounted_price_set || line.discounted_price !== undefined
        ? dual(line.discounted_price_set, line.discounted_price, currencies, `${where}.discounted_price`)
        : subtractDual(
            price,
            addDual((line.discount_allocations ?? []).map((d, i) => dual(d.amount_set, d.amount, currencies, `${where}.discount_allocations.${i}`))),
            where,
          );
    const tax = addDual((line.tax_lines ?? []).map((t, i) => dual(t.price_set, t.price, currencies, `${where}.tax_lines.${i}`)));
    return { discounted, tax };
  });

  const browserIp = order.browser_ip ?? order.client_details?.browser_ip ?? null;
  const customer: OrderCustomer | null =
    order.customer || order.email || browserIp
      ? {
          id: optionalId(order.customer?.id, "customer.id", notes, order.customer?.admin_graphql_api_id),
          firstName: order.customer?.first_name ?? null,
          lastName: order.customer?.last_name ?? null,
          email: order.customer?.email ?? order.email ?? null,
          ipAddress: browserIp,
        }
      : null;

  const noteAttributes: Record<string, string> = {};
  for (const attribute of order.note_attributes ?? []) {
    if (attribute.value !== null) noteAttributes[attribute.name] = String(attribute.value);
  }

  const totalTax =
    !asPaid && (order.current_total_tax_set || order.current_total_tax !== undefined)
      ? dual(order.current_total_tax_set, order.current_total_tax, currencies, "current_total_tax")
      : dual(order.total_tax_set, order.total_tax, currencies, "total_tax");
  const totalPaid =
    !asPaid && (order.current_total_price_set || order.current_total_price !== undefined)
      ? dual(order.current_total_price_set, order.current_total_price, currencies, "current_total_price")
      : dual(order.total_price_set, order.total_price, currencies, "total_price");

  return {
    id: orderId,
    name: order.name,
    reference: order.name.replace(/^#/, ""),
    test: order.test ?? false,
    createdAt: order.created_at,
    cancelledAt: order.cancelled_at ?? null,
    currencies,
    taxesIncluded: order.taxes_included ?? false,
    cartToken: order.cart_token ?? null,
    landingSite: order.landing_site ?? null,
    noteAttributes,
    discountCodes: (order.discount_codes ?? []).map((d) => d.code).filter((code) => code.length > 0),
    customer,
    lines,
    shipping: addDual(shippingParts.map((p) => p.discounted)),
    shippingTax: addDual(shippingParts.map((p) => p.tax)),
    totalTax,
    totalPaid,
    ...(notes.length ? { notes } : {}),
  };
}

/**
 * Converts a refunds/create payload. Its money sets are checked against the currencies of the order it belongs
 * to when that order is given; without it, the refund's own shop/presentment codes are taken as they come.
 */
export function refundFromShopify(payload: unknown, order?: Pick<NormalizedOrder, "id" | "currencies">): NormalizedRefund {
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
  return {
    id: refundId,
    orderId,
    createdAt: refund.created_at,
    lines: items.map((item, index) => ({
      lineId: exactId(item.line_item_id, `refund_line_items.${index}.line_item_id`),
      quantity: item.quantity,
      subtotal: dual(item.subtotal_set, item.subtotal, currencies, `refund_line_items.${index}.subtotal`),
      tax: dual(item.total_tax_set, item.total_tax, currencies, `refund_line_items.${index}.total_tax`),
    })),
  };
}

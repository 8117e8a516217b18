// The project's own order model. Shopify's payloads are converted into it once, at the edge
// (app/orders/from-shopify.ts); nothing past that point reads a Shopify payload.
//
// Money is integer minor units of the currency (ISO 4217 exponent: JPY 0, USD 2, KWD 3). Every amount is held
// in both of Shopify's money sets; `priceOrder` picks one set and its currency code together, so the two can
// never be mixed. A side Shopify did not send and that cannot be derived is null: the order is then priced only in
// the other currency, and in this one every network skips it with the reason (app/orders/price.ts).

export type CurrencyMode = "shop" | "presentment";

/** One amount in both money sets, in minor units of the respective currency; null where it is unknown. */
export interface DualAmount {
  shop: number | null;
  presentment: number | null;
}

/** The Shopify fields whose amount is unknown in each money set (absent where every amount is known). */
export type UnknownAmounts = Partial<Record<CurrencyMode, string[]>>;

export interface OrderCustomer {
  id: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  ipAddress: string | null;
}

export interface OrderLine {
  id: string;
  /** The SKU, or the variant id when the SKU is blank. */
  sku: string;
  variantId: string | null;
  productId: string | null;
  title: string;
  /** current_quantity where Shopify sends it. */
  quantity: number;
  /** Unit price before discounts (includes tax when the order's taxesIncluded). */
  unitPrice: DualAmount;
  /** Sum of the line's discount_allocations (the whole line, not per unit). */
  discount: DualAmount;
  /** Sum of the line's tax_lines (the whole line). */
  tax: DualAmount;
  /** Sum of the tax_lines' rates as a decimal string ("0.25"); lets a fully discounted line still split off VAT. */
  taxRate?: string;
}

export interface NormalizedOrder {
  /** Shopify's numeric order id, as a string. */
  id: string;
  /** "#1001" */
  name: string;
  /** The reference every network receives: name without a leading "#" ("1001"). */
  reference: string;
  test: boolean;
  createdAt: string;
  cancelledAt: string | null;
  currencies: { shop: string; presentment: string };
  taxesIncluded: boolean;
  /** Raw cart_token as Shopify sent it (may be null for draft/POS/API orders). */
  cartToken: string | null;
  landingSite: string | null;
  /** note_attributes as name -> value. */
  noteAttributes: Record<string, string>;
  discountCodes: string[];
  customer: OrderCustomer | null;
  lines: OrderLine[];
  /** What the shopper paid for shipping, after shipping discounts (tax included when taxesIncluded). */
  shipping: DualAmount;
  shippingTax: DualAmount;
  /** The order's total tax. */
  totalTax: DualAmount;
  /** What the customer paid (current_total_price). */
  totalPaid: DualAmount;
  /** What was not taken from Shopify's figures as they came (derived, unknown, or left out), for the merchant. */
  notes?: string[];
  unknownAmounts?: UnknownAmounts;
}

/** A refund as refunds/create reports it, converted once. */
export interface NormalizedRefund {
  id: string;
  orderId: string;
  createdAt: string;
  lines: Array<{ lineId: string; quantity: number; subtotal: DualAmount; tax: DualAmount }>;
  unknownAmounts?: UnknownAmounts;
}

/** An order seen through one money set: what every network mapper receives. */
export interface PricedLine {
  id: string;
  sku: string;
  variantId: string | null;
  productId: string | null;
  title: string;
  quantity: number;
  unitPrice: number;
  discount: number;
  tax: number;
  taxRate?: string;
}

export interface PricedOrder {
  id: string;
  name: string;
  reference: string;
  test: boolean;
  /** ISO 4217 code of every amount below. */
  currency: string;
  /** The currency's number of decimals (ISO 4217 exponent). */
  exponent: number;
  taxesIncluded: boolean;
  cartToken: string | null;
  landingSite: string | null;
  noteAttributes: Record<string, string>;
  discountCodes: string[];
  customer: OrderCustomer | null;
  lines: PricedLine[];
  shipping: number;
  shippingTax: number;
  totalTax: number;
  totalPaid: number;
}

export interface PricedRefund {
  id: string;
  orderId: string;
  currency: string;
  exponent: number;
  lines: Array<{ lineId: string; quantity: number; subtotal: number; tax: number }>;
}

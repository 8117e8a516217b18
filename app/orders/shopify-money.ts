// Reading one of Shopify's amounts into both money sets. Shopify sends an amount as a money set
// ({shop_money, presentment_money}) and, for most fields, also as a plain shop-currency amount. A set is checked
// against the order's currencies so the two can never be swapped; where only the plain amount came, the
// presentment side is known only if the order was presented in the shop's own currency, and is otherwise left
// unknown (null) with the field recorded, so the order can still be priced in the shop currency.
import { currencyExponent, MoneyFormatError, parseMinorUnits, UnknownCurrencyError } from "../money/currency.ts";
import { OrderPayloadError } from "./errors.ts";
import type { CurrencyMode, DualAmount } from "./model.ts";

export type Currencies = { shop: string; presentment: string };
export type PlainAmount = string | number;
export interface MoneySet {
  shop_money: { amount: PlainAmount; currency_code: string };
  presentment_money: { amount: PlainAmount; currency_code: string };
}

export function knownCurrency(code: string, where: string): string {
  try {
    currencyExponent(code);
    return code;
  } catch (error) {
    if (error instanceof UnknownCurrencyError) throw new OrderPayloadError(`${where}: ${error.message}`);
    throw error;
  }
}

export function minorUnits(value: PlainAmount, currency: string, where: string): number {
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

/** Reads amounts for one order (or refund); collects the fields whose amount is unknown, per side, and notes. */
export class MoneyReader {
  /** Shopify fields whose amount is unknown in that money set. */
  readonly unknown: Record<CurrencyMode, string[]> = { shop: [], presentment: [] };
  readonly notes: string[] = [];

  constructor(readonly currencies: Currencies) {}

  /** An amount from its money set, else its plain shop amount; unknown where neither says it. */
  read(set: MoneySet | null | undefined, plain: PlainAmount | null | undefined, where: string): DualAmount {
    const { shop, presentment } = this.currencies;
    if (set) {
      if (set.shop_money.currency_code !== shop) {
        throw new OrderPayloadError(`${where}: shop_money is in ${set.shop_money.currency_code}, but the shop currency is ${shop}`);
      }
      if (set.presentment_money.currency_code !== presentment) {
        throw new OrderPayloadError(`${where}: presentment_money is in ${set.presentment_money.currency_code}, but the order was presented in ${presentment}`);
      }
      return { shop: minorUnits(set.shop_money.amount, shop, where), presentment: minorUnits(set.presentment_money.amount, presentment, where) };
    }
    if (plain === null || plain === undefined) {
      this.missing(["shop", "presentment"], where, `${where}: no amount`);
      return { shop: null, presentment: null };
    }
    const value = minorUnits(plain, shop, where);
    if (shop === presentment) return { shop: value, presentment: value };
    this.missing(["presentment"], where, `${where}: no money set, so the ${presentment} amount is unknown (the ${shop} amount is known)`);
    return { shop: value, presentment: null };
  }

  /** Records that an amount was derived rather than read. */
  derived(note: string): void {
    this.notes.push(note);
  }

  private missing(sides: CurrencyMode[], where: string, note: string): void {
    for (const side of sides) this.unknown[side].push(where);
    this.notes.push(note);
  }
}

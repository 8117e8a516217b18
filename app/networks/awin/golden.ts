// Awin's own documented examples, each with a Shopify order that should produce it. The order specs are plain data
// (the shape of devkit/orders/shopify-order.ts's OrderSpec, which builds the webhook payload), so the app never
// imports test code; test/networks/awin/mapping.test.ts checks every example. README.md cites the sources.
import type { AwinOrder } from "./request.ts";
import type { AwinSettings } from "./settings.ts";

export interface AwinGoldenOrderSpec {
  id: number;
  name: string;
  currency: string;
  taxesIncluded: boolean;
  lines: Array<{ sku: string; title: string; quantity: number; unitPrice: number; discounts?: number[]; taxes?: Array<{ amount: number; rate: string }> }>;
  shipping: { price: number; tax?: number } | null;
  discountCodes: string[];
  noteAttributes: Record<string, string>;
  landingSite: string | null;
}

export interface AwinGoldenExample {
  name: string;
  /** What Awin's documentation shows, and where the order below departs from it. */
  documented: string;
  settings: AwinSettings;
  order: AwinGoldenOrderSpec;
  /** The single order of the batch the relay sends, and the advertiser the batch goes to. */
  expected: { advertiserId: string; order: AwinOrder };
}

/** Awin's examples use advertiser (merchant) 1001. */
const settings = (commissionGroup = ""): AwinSettings => ({ enabled: true, advertiserId: "1001", apiKey: "golden-awin-token", commissionGroup, cookieDays: 30 });

export const awinGoldenExamples: readonly AwinGoldenExample[] = [
  {
    name: "the Conversion API's JSON request body example",
    documented:
      'Awin: {"orders":[{"orderReference":"#1100011","amount":111,"channel":"aw","currency":"GBP","voucher":"10_OFF","isTest":false,…}]}. ' +
      'The relay sends the order name without its "#" (PRODUCT.md), and always names the commission group and the click.',
    settings: settings(),
    order: {
      id: 5_900_000_101,
      name: "#1100011",
      currency: "GBP",
      // A UK shop: prices include 20% VAT. 145.20 less the 12.00 voucher is 133.20, of which 22.20 is VAT: 111.00.
      taxesIncluded: true,
      lines: [{ sku: "HP-200", title: "Wireless headphones", quantity: 1, unitPrice: 14_520, discounts: [1_200], taxes: [{ amount: 2_220, rate: "0.2" }] }],
      shipping: { price: 499, tax: 83 },
      discountCodes: ["10_OFF"],
      noteAttributes: { _awin_awc: "1001_1732096800_3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e" },
      landingSite: "/",
    },
    expected: {
      advertiserId: "1001",
      order: {
        orderReference: "1100011",
        amount: 111,
        channel: "aw",
        currency: "GBP",
        awc: "1001_1732096800_3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e",
        voucher: "10_OFF",
        isTest: false,
        commissionGroups: [{ code: "DEFAULT", amount: 111 }],
      },
    },
  },
  {
    name: "the parameter guidance's sale subtotal example",
    documented:
      "Awin: the amount is the sale subtotal after discounts, excluding tax and shipping, a float with a dot and no thousands separator, for example 1083.29.",
    settings: settings("ELECTRONICS"),
    order: {
      id: 5_900_000_102,
      name: "#1042",
      currency: "USD",
      // Tax is added on top (8%) and shipping is 15.00: neither is part of the 1083.29.
      taxesIncluded: false,
      lines: [
        { sku: "TV-55", title: "55-inch television", quantity: 1, unitPrice: 99_999, taxes: [{ amount: 8_000, rate: "0.08" }] },
        { sku: "HDMI-2M", title: "HDMI cable", quantity: 2, unitPrice: 4_665, discounts: [1_000], taxes: [{ amount: 666, rate: "0.08" }] },
      ],
      shipping: { price: 1_500 },
      discountCodes: [],
      noteAttributes: {},
      landingSite: "/products/tv-55?utm_source=awin&awc=1001_1732096800_a1b2c3d4e5f60718293a4b5c6d7e8f90",
    },
    expected: {
      advertiserId: "1001",
      order: {
        orderReference: "1042",
        amount: 1083.29,
        channel: "aw",
        currency: "USD",
        awc: "1001_1732096800_a1b2c3d4e5f60718293a4b5c6d7e8f90",
        isTest: false,
        commissionGroups: [{ code: "ELECTRONICS", amount: 1083.29 }],
      },
    },
  },
];

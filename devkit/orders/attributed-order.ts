// Shopify order payloads and settings for pipeline tests: an order attributed to all three networks.
import { shopifyOrder } from "./shopify-order.ts";

export const DEMO_SETTINGS = {
  currency: "shop",
  sendTestOrders: false,
  networks: {
    refersion: { enabled: true, publicKey: "pub_test_key", secretKey: "sec_test_key_never_logged" },
    retrack: { enabled: true, apiToken: "retrack_token_never_logged", eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" },
    flexoffers: { enabled: true, advertiserId: "adv-1234", commissionId: "" },
  },
};

export const SECRETS = ["sec_test_key_never_logged", "retrack_token_never_logged"];

/** A paid order with a Retrack click and a FlexOffers refid, so every network gets a conversion. */
export function attributedOrder(n: number, options: { test?: boolean; attributed?: boolean } = {}) {
  const attributed = options.attributed ?? true;
  return shopifyOrder({
    id: 5_000_000_000 + n,
    name: `#${1000 + n}`,
    test: options.test ?? false,
    lines: [
      { quantity: 2, unitPrice: 1250, discounts: [250], taxes: [{ amount: 180, rate: "0.08" }] },
      { quantity: 1, unitPrice: 4000 },
    ],
    shipping: { price: 500 },
    discountCodes: ["WELCOME"],
    noteAttributes: attributed
      ? {
          _retrack_click: `2b1f3c1e-6a5d-4c1b-9f0e-${String(n).padStart(12, "0")}`,
          _flexoffers_refid: `fo-ref-${n}`,
          _refersion_cart_id: `cart-${n}`,
        }
      : {},
  });
}

// Shopify order payloads and settings for the pipeline tests, the benchmarks and the demo: an order attributed to
// every registered network, and settings switching every one of them on. Both derived from the registry.
import { networks } from "../../app/networks/registry.ts";
import { simulatedSettingsFile } from "../simulators/settings.ts";
import { shopifyOrder } from "./shopify-order.ts";

/** Every registered network on, with the settings its simulator accepts (devkit/simulators/settings.ts). */
export const DEMO_SETTINGS = simulatedSettingsFile();

/**
 * The note attributes an order carries when the shopper came through every registered network: each network's
 * cart attribute (its storefront capture's, or its own tracker's) with the example value it declares.
 */
export function everyClick(): Record<string, string> {
  return Object.fromEntries(
    networks.flatMap((network) => {
      const carried = network.storefront ?? network.ownTracker;
      return carried ? [[carried.cartAttribute, carried.example]] : [];
    }),
  );
}

/** A paid order carrying every network's click (everyClick), so every network gets a conversion. */
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
    noteAttributes: attributed ? everyClick() : {},
  });
}

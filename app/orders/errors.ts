// The two ways an order from Shopify can fail to become something a network is sent.
import { cleanText } from "./shopper-text.ts";

/** The payload is not an order (or refund) this app can read: the webhook gets 422 and nothing is written. */
export class OrderPayloadError extends Error {
  constructor(message: string) {
    // One line, whatever of the payload it quotes: it is logged and answered to Shopify.
    super(cleanText(message).slice(0, 500));
    this.name = "OrderPayloadError";
  }
}

/**
 * The order was read, but its amounts are not known in the currency the settings ask for (Shopify left out a
 * money set that cannot be derived). It is recorded; every network skips it with this message as the reason.
 */
export class UnpriceableOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnpriceableOrderError";
  }
}

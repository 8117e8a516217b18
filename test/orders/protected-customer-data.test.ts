// Without Shopify's approval for protected customer data (Level 2), an order's name, email, phone and address
// fields arrive redacted (null) or absent. Every network's mapping works without them: Refersion's optional
// customer block is partial or left out, the others never needed it.
import { describe, expect, it } from "vitest";
import { flexoffers } from "../../app/networks/flexoffers/index.ts";
import { refersion } from "../../app/networks/refersion/index.ts";
import { retrack } from "../../app/networks/retrack/index.ts";
import { orderFromShopify, refundFromShopify } from "../../app/orders/from-shopify.ts";
import { priceOrder, priceRefund } from "../../app/orders/price.ts";
import { shopifyOrder, shopifyRefund } from "../../devkit/orders/shopify-order.ts";
import { sent } from "../networks/helpers.ts";

const CLICK = "59d08c54-18e6-4e0d-9c06-d18be3510e43";
const base = shopifyOrder({
  lines: [{ sku: "TEE", quantity: 2, unitPrice: 2500, taxes: [{ amount: 400, rate: "0.08" }] }],
  noteAttributes: { _retrack_click: CLICK, _flexoffers_refid: "FO-1" },
  browserIp: "203.0.113.9",
});
const addresses = {
  billing_address: { first_name: null, last_name: null, address1: null, city: null, zip: null, country: "US", name: null, phone: null },
  shipping_address: null,
};
const settings = {
  refersion: { enabled: true, publicKey: "p", secretKey: "s" },
  retrack: { enabled: true, apiToken: "t", eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" },
  flexoffers: { enabled: true, advertiserId: "a", commissionId: "", cookieDays: 30 },
};
const ctx = { sendTestOrders: false, externalRef: "3f1c2b0a-1111-4222-8333-944445555666" };

const redactions: Array<[string, Record<string, unknown>]> = [
  ["name and email null, as Shopify redacts them", { ...base, ...addresses, email: null, contact_email: null, customer: { id: 6_000_001, first_name: null, last_name: null, email: null, phone: null } }],
  ["the fields absent", { ...base, email: undefined, customer: { id: 6_000_001 } }],
  ["no customer at all", { ...base, email: null, customer: null }],
  ["blank strings", { ...base, email: "", customer: { id: 6_000_001, first_name: " ", last_name: "", email: "" } }],
  ["no customer and no IP either", { ...base, email: null, customer: null, browser_ip: null, client_details: null }],
];

describe("orders without protected customer data", () => {
  it.each(redactions)("map to every network with %s", (_label, payload) => {
    const order = orderFromShopify(payload);
    expect(order.customer?.email ?? null).toBeNull();
    expect(order.customer?.firstName ?? null).toBeNull();
    expect(order.customer?.lastName ?? null).toBeNull();
    const priced = priceOrder(order, "shop");

    const body = sent(refersion.mapConversion(priced, settings.refersion, ctx)).body as { customer?: Record<string, string> };
    // Only what Shopify still sent: the shopper's IP, or no customer block at all.
    if (payload.browser_ip === null) expect(body.customer).toBeUndefined();
    else expect(body.customer).toEqual({ ip_address: "203.0.113.9" });
    sent(retrack.mapConversion(priced, settings.retrack, ctx));
    sent(flexoffers.mapConversion(priced, settings.flexoffers, ctx));
    sent(refersion.mapCancellation(priced, settings.refersion, ctx));
    sent(retrack.mapCancellation(priced, settings.retrack, ctx));
    const refund = priceRefund(refundFromShopify(shopifyRefund({ orderId: 5_000_000_001, lines: [{ lineItemId: 10_000, quantity: 1, subtotal: 2500, tax: 200 }] }), order), order, "shop");
    sent(refersion.mapRefund(priced, refund, settings.refersion, ctx));
    sent(retrack.mapRefund(priced, refund, settings.retrack, ctx));
  });

  it("keeps what Level 2 approval does bring: a partial customer block with the fields Shopify sent", () => {
    const order = orderFromShopify({ ...base, email: "Ada@Example.com", customer: { id: 6_000_001, first_name: null, last_name: null, email: null } });
    const body = sent(refersion.mapConversion(priceOrder(order, "shop"), settings.refersion, ctx)).body as { customer?: Record<string, string> };
    expect(body.customer).toEqual({ email: "Ada@Example.com", ip_address: "203.0.113.9" });
  });
});

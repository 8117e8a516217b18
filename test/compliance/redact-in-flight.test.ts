// customers/redact while a delivery is in flight: Refersion's loopback endpoint holds the request until the redact
// webhook has answered, then answers quoting the customer. After that, nothing the app holds names the customer:
// not the order (its URL-encoded email in landing_site, the name in a gift note), not what the deliveries that
// finished before logged, and not what the one in flight recorded afterwards.
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact.tsx";
import { startHeldNetwork, type HeldNetwork } from "../servers/held-network.ts";
import { databaseKinds } from "../support/databases.ts";
import { signedWebhookRequest } from "../../devkit/shopify-webhook.ts";
import { SHOP, startRelay, type Relay } from "../pipeline/support/harness.ts";
import { attributedOrder, everyClick } from "../../devkit/orders/attributed-order.ts";
import { networks } from "../../app/networks/registry.ts";

const EMAIL = "jane.roe@example.com";
const IP = "198.51.100.23";
const CLICK = "2b1f3c1e-6a5d-4c1b-9f0e-00000000beef";
/** Anything that names Jane Roe: her names as words, her email plain or URL-encoded, her IP. */
const NAMES_HER = /jane|(?<![a-z])roe(?![a-z])|198\.51\.100\.23/i;

function janesOrder() {
  const order = attributedOrder(7);
  return {
    ...order,
    email: EMAIL,
    browser_ip: IP,
    customer: { id: 6_000_777, first_name: "Jane", last_name: "Roe", email: EMAIL },
    landing_site: `/?utm_source=newsletter&email=${encodeURIComponent(EMAIL)}&click=${CLICK}`,
    note_attributes: [
      ...(order.note_attributes as Array<{ name: string; value: string }>),
      { name: "Gift message", value: "Happy birthday, love from Jane!" },
    ],
  };
}

async function redact(): Promise<number> {
  const request = signedWebhookRequest({
    topic: "customers/redact",
    shop: SHOP,
    body: { shop_id: 1, shop_domain: SHOP, customer: { id: 6_000_777, email: EMAIL, phone: null }, orders_to_redact: [5_000_000_007] },
  });
  return (await customersRedact({ request, params: {}, context: {} } as ActionFunctionArgs)).status;
}

/** Every row the app holds for the shop's orders and deliveries, as text. */
async function heldText(db: Db): Promise<string> {
  const rows = [
    await db.order.findMany({ where: { shop: SHOP } }),
    await db.delivery.findMany({ where: { shop: SHOP } }),
    await db.deliveryAttempt.findMany({ where: { shop: SHOP } }),
    await db.dataRequest.findMany({ where: { shop: SHOP } }),
  ];
  return JSON.stringify(rows);
}

describe.each(databaseKinds)("customers/redact with a delivery in flight on %s", (kind) => {
  let relay: Relay | undefined;
  let held: HeldNetwork | undefined;
  afterEach(async () => {
    await held?.close();
    await relay?.close();
    held = relay = undefined;
  });

  it.each([
    ["a success echoing her", 200, JSON.stringify({ status: "ok", message: `Conversion saved for Jane Roe <${EMAIL}>` })],
    ["a refusal quoting her", 400, JSON.stringify({ error: `customer Jane Roe (${EMAIL}, ${IP}) is on a blocklist` })],
  ])("nothing names the customer afterwards: %s", async (_name, status, answer) => {
    relay = await startRelay(kind);
    held = await startHeldNetwork();
    process.env.REFERSION_WEBHOOK_URL = `${held.url}/tracker/orders/paid`;
    expect(await relay.post("orders/paid", janesOrder())).toBe(200);
    const worker = relay.worker();
    const inFlight = await held.arrival();
    // What went out names her: the attempt the worker is about to record would too.
    expect(inFlight.body).toMatch(NAMES_HER);
    expect(await redact()).toBe(200);
    held.answer(status, answer);
    await worker.idle();

    const refersion = await relay.db.delivery.findFirstOrThrow({ where: { shop: SHOP, network: "refersion" } });
    expect(refersion.status).toBe(status === 200 ? "succeeded" : "failed");
    expect(await relay.db.deliveryAttempt.count({ where: { deliveryId: refersion.id } })).toBe(1);
    // One attempt per network: every registered one is on and has the order's click.
    expect(await relay.db.deliveryAttempt.count({ where: { shop: SHOP } })).toBe(networks.length);
    const text = await heldText(relay.db);
    expect(text).not.toMatch(NAMES_HER);
    expect(text).not.toContain(EMAIL);

    // What the merchant still needs stays: the click in the landing URL, the hidden click attributes, amounts.
    const order = await relay.db.order.findFirstOrThrow({ where: { shop: SHOP } });
    const payload = JSON.parse(order.payload) as { landingSite: string; noteAttributes: Record<string, string>; customer: unknown };
    expect(payload.customer).toBeNull();
    expect(payload.landingSite).toBe(`/?utm_source=newsletter&email=[redacted]&click=${CLICK}`);
    expect(payload.noteAttributes).toMatchObject({ ...everyClick(), "Gift message": "[redacted]" });
    expect(order.redactedAt).not.toBeNull();
  });
});

// Two shops for the admin's loader and action tests, each with its own settings, secrets, orders, deliveries in
// every state and attempts: no id, value or count of one may ever show up in the other's pages.
import type { Db } from "../../../app/db/client.server.ts";
import { orderFromShopify } from "../../../app/orders/from-shopify.ts";
import { saveSettingsFile } from "../../../app/settings/store.server.ts";
import { shopifyOrder } from "../../../devkit/orders/shopify-order.ts";
import { seedOfflineSession } from "../../../devkit/admin/session-token.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SeededAdminShop {
  shop: string;
  accessToken: string;
  /** Values stored for this shop that must appear in no response (keys, customer emails, the access token). */
  secrets: string[];
  /** Values of this shop that must not appear in the other shop's responses. */
  marks: string[];
  deliveryIds: Record<string, string>;
  orderNames: string[];
}

/**
 * `n` makes the shop's values distinct: order names #<n>001.., keys ending in the shop's own digits. Deliveries:
 * Refersion delivered, failed (400) and skipped (test order); Retrack paused (401) and pending; FlexOffers failed
 * (no click). One attempt per sent delivery with the request as the worker logs it (secrets redacted).
 */
export async function seedAdminShop(db: Db, shop: string, n: number, now = new Date()): Promise<SeededAdminShop> {
  const secretKey = `rfsn-secret-${n}-5f0c2a9b7e1d`;
  const apiToken = `retrack-token-${n}-77d1e3c4a9b0`;
  const email = `shopper.${n}.private@example.com`;
  const accessToken = `shpat_offline_${n}_0a1b2c3d4e5f`;
  await saveSettingsFile(db, shop, {
    currency: "shop",
    sendTestOrders: false,
    networks: {
      refersion: { enabled: true, publicKey: `pub-key-${n}`, secretKey },
      retrack: { enabled: true, apiToken, eventId: "1f80e399-6f55-4cef-b8b0-0f74752c1ceb" },
      flexoffers: { enabled: true, advertiserId: `adv-${n}`, commissionId: "" },
    },
  });
  await db.networkConnection.updateMany({
    where: { shop, network: "retrack" },
    data: { credentialsStatus: "rejected", credentialsError: `Retrack answered 401 for shop ${n}: the API token is not valid`, credentialsCheckedAt: now },
  });
  await seedOfflineSession(db, shop, accessToken);

  const at = (msAgo: number) => new Date(now.getTime() - msAgo);
  const orderNames = [1, 2, 3, 4].map((i) => `#${n}00${i}`);
  const orders: Array<{ id: string }> = [];
  for (const [i, name] of orderNames.entries()) {
    orders.push(
      await db.order.create({
        data: {
          shop,
          shopifyOrderId: String(n * 1_000_000_000 + i),
          name,
          test: i === 3,
          // The normalized order as ingestion stores it, so backfill and replay can plan from it.
          payload: JSON.stringify(
            orderFromShopify(
              shopifyOrder({ id: n * 1_000_000_000 + i, name, test: i === 3, lines: [{ quantity: 1, unitPrice: 2500 }], customer: { first_name: "Private", last_name: "Shopper", email } }),
            ),
          ),
          customerEmail: email,
          paidAt: at((i + 1) * HOUR),
          createdAt: at((i + 1) * HOUR),
        },
      }),
    );
  }
  const request = (network: string) =>
    JSON.stringify({
      method: "POST",
      url: `https://${network}.example/endpoint`,
      headers: { "Refersion-Public-Key": `pub-key-${n}`, "Refersion-Secret-Key": "[redacted]", "Content-Type": "application/json" },
      body: { order_id: `${n}001`, customer: { email, first_name: "Private", last_name: "Shopper" }, items: [{ sku: "SKU-1", quantity: 1, price: 10 }] },
    });
  const deliveryIds: Record<string, string> = {};
  const add = async (
    key: string,
    order: number,
    network: string,
    status: string,
    ageMs: number,
    extra: { lastStatus?: number; lastError?: string; reason?: string; attempts?: number; attempt?: { status: number; outcome: string; excerpt: string } } = {},
  ) => {
    const { attempt, ...columns } = extra;
    const row = await db.delivery.create({
      data: {
        shop,
        orderId: orders[order]!.id,
        network,
        kind: "conversion",
        status,
        createdAt: at(ageMs),
        updatedAt: at(ageMs - 60_000),
        completedAt: status === "succeeded" || status === "failed" || status === "skipped" ? at(ageMs - 60_000) : null,
        nextAttemptAt: status === "pending" ? at(-HOUR) : at(ageMs),
        attempts: extra.attempts ?? (attempt ? 1 : 0),
        ...columns,
      },
    });
    deliveryIds[key] = row.id;
    if (attempt) {
      await db.deliveryAttempt.create({
        data: {
          deliveryId: row.id,
          shop,
          startedAt: at(ageMs - 30_000),
          durationMs: 123,
          request: request(network),
          httpStatus: attempt.status,
          outcome: attempt.outcome,
          responseExcerpt: attempt.excerpt,
          error: attempt.outcome === "success" ? null : attempt.excerpt,
        },
      });
    }
  };
  await add("refersionDelivered", 0, "refersion", "succeeded", 4 * HOUR, { attempt: { status: 200, outcome: "success", excerpt: '{"status":"success"}' } });
  await add("refersionFailed", 1, "refersion", "failed", 3 * HOUR, {
    lastStatus: 400,
    lastError: `Refersion answered 400: cart_id is required (shop ${n})`,
    reason: `Refersion answered 400: cart_id is required (shop ${n})`,
    attempt: { status: 400, outcome: "permanent", excerpt: `{"error":"cart_id is required","echo":"${email}"}` },
  });
  await add("refersionSkipped", 3, "refersion", "skipped", 1 * HOUR, { reason: "test order: sending test orders is switched off in the settings" });
  await add("retrackPaused", 0, "retrack", "paused", 4 * HOUR + 2000, {
    lastStatus: 401,
    lastError: "Retrack rejected the API token (401)",
    attempts: 1,
    attempt: { status: 401, outcome: "credentials_rejected", excerpt: '{"message":"Unauthenticated."}' },
  });
  await add("retrackPending", 2, "retrack", "pending", 2 * HOUR);
  await add("flexoffersFailed", 0, "flexoffers", "failed", 4 * HOUR - 1000, {
    lastStatus: 200,
    lastError: "FlexOffers answered: No click ID found",
    reason: "FlexOffers answered: No click ID found",
    attempt: { status: 200, outcome: "permanent", excerpt: "No click ID found" },
  });
  // Older than the home page's 30 days: counted nowhere there.
  await add("refersionOld", 2, "refersion", "succeeded", 40 * DAY, { attempt: { status: 200, outcome: "success", excerpt: "{}" } });

  return {
    shop,
    accessToken,
    secrets: [secretKey, apiToken, email, accessToken],
    marks: [...orderNames, `pub-key-${n}`, `adv-${n}`, `shop ${n}`, ...Object.values(deliveryIds)],
    deliveryIds,
    orderNames,
  };
}

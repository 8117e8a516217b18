// A shop with a bit of everything the overview shows: networks on and off, keys accepted and rejected, deliveries
// in every state, some older than the overview's window, and secrets that must never reach a page.
import type { Db } from "../../../app/db/client.server.ts";
import { seal } from "../../../app/security/encryption.server.ts";

/** Values that exist in the database and must appear in no page, no loader data, no log. */
export const SECRET_VALUES = {
  refersionSecretKey: "rfsn-secret-key-5f0c2a9b",
  retrackApiToken: "retrack-api-token-77d1e3c4",
  customerEmail: "shopper.private@example.com",
} as const;

const DAY = 24 * 60 * 60 * 1000;

export interface SeededShop {
  ciphertexts: string[];
}

export async function seedOverviewShop(db: Db, shop: string, now = new Date()): Promise<SeededShop> {
  const at = (msAgo: number) => new Date(now.getTime() - msAgo);
  await db.shop.create({ data: { domain: shop } });

  const refersionSecret = seal(JSON.stringify({ secretKey: SECRET_VALUES.refersionSecretKey }), undefined, `${shop}/refersion`);
  const retrackSecret = seal(JSON.stringify({ apiToken: SECRET_VALUES.retrackApiToken }), undefined, `${shop}/retrack`);
  await db.networkConnection.createMany({
    data: [
      {
        shop,
        network: "refersion",
        enabled: true,
        publicConfig: JSON.stringify({ publicKey: "pub-key-overview" }),
        secretCiphertext: refersionSecret.ciphertext,
        secretKeyId: refersionSecret.keyId,
        credentialsStatus: "ok",
        credentialsCheckedAt: at(DAY),
      },
      {
        shop,
        network: "retrack",
        enabled: true,
        publicConfig: JSON.stringify({ eventId: "0b6f5c1e-8d44-4c43-9a0e-3f1f5f1d2c10" }),
        secretCiphertext: retrackSecret.ciphertext,
        secretKeyId: retrackSecret.keyId,
        credentialsStatus: "rejected",
        credentialsError: "Retrack answered 401 Unauthorized: the API token is not valid",
        credentialsCheckedAt: at(2 * 60 * 60 * 1000),
      },
      { shop, network: "flexoffers", enabled: false, publicConfig: JSON.stringify({ advertiserId: "123456" }) },
    ],
  });

  const orderIds = new Map<string, string>();
  for (const n of [1001, 1002, 1003, 1004, 1005, 1006]) {
    const order = await db.order.create({
      data: {
        shop,
        shopifyOrderId: String(5_000_000 + n),
        name: `#${n}`,
        payload: JSON.stringify({ name: `#${n}`, customer: { email: SECRET_VALUES.customerEmail } }),
        customerEmail: SECRET_VALUES.customerEmail,
        paidAt: at(DAY),
      },
    });
    orderIds.set(`#${n}`, order.id);
  }
  const delivery = (
    order: string,
    network: string,
    status: string,
    ageMs: number,
    extra: { lastStatus?: number; lastError?: string; reason?: string; attempts?: number; nextAttemptAt?: Date } = {},
  ) => ({
    shop,
    orderId: orderIds.get(order)!,
    network,
    kind: "conversion",
    status,
    createdAt: at(ageMs),
    updatedAt: at(ageMs - 60_000),
    attempts: extra.attempts ?? (status === "skipped" ? 0 : 1),
    ...extra,
  });
  await db.delivery.createMany({
    data: [
      delivery("#1001", "refersion", "succeeded", 3 * DAY),
      delivery("#1002", "refersion", "succeeded", 2 * DAY),
      delivery("#1003", "refersion", "succeeded", DAY),
      delivery("#1004", "refersion", "failed", 5 * 60 * 60 * 1000, {
        lastStatus: 400,
        lastError: "Refersion answered 400: cart_id is required",
      }),
      delivery("#1001", "retrack", "paused", 3 * 60 * 60 * 1000, {
        lastStatus: 401,
        lastError: "Retrack rejected the API token (401)",
        attempts: 2,
      }),
      delivery("#1002", "retrack", "skipped", 2 * DAY, { reason: "no Retrack click on this order" }),
      // A retry scheduled for later: a worker running beside the page (the real server's) leaves it alone.
      delivery("#1005", "flexoffers", "pending", 60 * 60 * 1000, { lastStatus: 503, attempts: 1, nextAttemptAt: at(-60 * 60 * 1000) }),
      // Older than the overview's 7 days: not counted, though the failure still shows among the latest.
      delivery("#1006", "refersion", "succeeded", 10 * DAY),
      delivery("#1006", "flexoffers", "failed", 9 * DAY, { lastStatus: 200, lastError: "FlexOffers answered: No click ID found", attempts: 5 }),
    ],
  });
  return { ciphertexts: [refersionSecret.ciphertext, retrackSecret.ciphertext] };
}

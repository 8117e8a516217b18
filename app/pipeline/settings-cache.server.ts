// A shop's decrypted settings, reused while they are unchanged. Loading them through Prisma and decrypting costs
// milliseconds; checking whether they changed is one indexed read. Any save (saveSettingsFile, a credentials
// status change) moves an updatedAt, so a cached value is never stale.
import type { Db } from "../db/client.server.ts";
import { loadShopConfig, type ShopConfig } from "../settings/store.server.ts";
import { driverFor, sql } from "./sql/driver.server.ts";

const caches = new WeakMap<Db, Map<string, { stamp: string; value: ShopConfig | null }>>();
const MAX_SHOPS = 10_000;

async function settingsStamp(db: Db, shop: string): Promise<string> {
  return driverFor(db).read(function* () {
    const { rows } = yield sql`SELECT
        (SELECT "updatedAt" FROM "Shop" WHERE "domain" = ${shop}) AS "shopAt",
        (SELECT max("updatedAt") FROM "NetworkConnection" WHERE "shop" = ${shop}) AS "connectionsAt",
        (SELECT count(*) FROM "NetworkConnection" WHERE "shop" = ${shop}) AS "connections"`;
    const row = rows[0] ?? {};
    const text = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value ?? ""));
    return `${text(row.shopAt)}|${text(row.connectionsAt)}|${text(row.connections)}`;
  });
}

export async function cachedShopConfig(db: Db, shop: string): Promise<ShopConfig | null> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const stamp = await settingsStamp(db, shop);
  const hit = cache.get(shop);
  if (hit && hit.stamp === stamp) return hit.value;
  const value = await loadShopConfig(db, shop);
  if (cache.size >= MAX_SHOPS) cache.clear();
  cache.set(shop, { stamp, value });
  return value;
}

// Backfill: a network switched on later gets the shop's recorded orders of the last N days, exactly as if it
// had been on when they arrived (the same plan, so test orders and orders without a click are skipped with their
// reasons). Orders it already has a delivery for are left alone, so backfilling twice changes nothing.
import { invalidateDaysSince } from "../admin/accuracy-days.server.ts";
import type { Db } from "../db/client.server.ts";
import type { NormalizedOrder } from "../orders/model.ts";
import { loadShopConfig } from "../settings/store.server.ts";
import { CANCELLATION, CONVERSION } from "./model.ts";
import { recordOrder, type ExistingDelivery } from "./outbox.server.ts";
import { planConversions, planReversals, type PlannedDelivery } from "./plan.ts";

export class BackfillError extends Error {}

export interface BackfillResult {
  orders: number;
  queued: number;
  skipped: number;
  alreadyThere: number;
}

const DAY = 86_400_000;
export const MAX_BACKFILL_DAYS = 60;

export async function backfillNetwork(db: Db, args: { shop: string; network: string; days: number; now?: Date }): Promise<BackfillResult> {
  const { shop, network, days } = args;
  if (!Number.isInteger(days) || days < 1 || days > MAX_BACKFILL_DAYS) throw new BackfillError(`days must be a whole number from 1 to ${MAX_BACKFILL_DAYS}`);
  const config = await loadShopConfig(db, shop);
  const connected = config?.networks.find((n) => n.definition.id === network);
  if (!config || !connected) throw new BackfillError(`${network} is not set up for ${shop}`);
  if (!connected.enabled) throw new BackfillError(`${connected.definition.label} is switched off for ${shop}: switch it on first`);
  const now = args.now ?? new Date();
  const since = new Date(now.getTime() - days * DAY);
  const result: BackfillResult = { orders: 0, queued: 0, skipped: 0, alreadyThere: 0 };
  try {
    await backfillOrders(db, { shop, network, since, now, config, connected, result });
  } finally {
    // The days it gave the network orders of count again (app/admin/accuracy-days.server.ts), also after a
    // backfill cut short: whatever it recorded before stays.
    // Marked as of now, not of the backfill's start: a page that read meanwhile must not write its figures back.
    await invalidateDaysSince(db, shop, since, new Date(Math.max(now.getTime(), Date.now())));
  }
  return result;
}

type ShopConfig = NonNullable<Awaited<ReturnType<typeof loadShopConfig>>>;

async function backfillOrders(
  db: Db,
  args: { shop: string; network: string; since: Date; now: Date; config: ShopConfig; connected: ShopConfig["networks"][number]; result: BackfillResult },
): Promise<void> {
  const { shop, network, since, now, config, connected, result } = args;
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.order.findMany({
      where: { shop, paidAt: { gte: since } },
      orderBy: { id: "asc" },
      take: 200,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: { id: true, payload: true },
    });
    if (!rows.length) break;
    cursor = rows[rows.length - 1]!.id;
    for (const row of rows) {
      const order = JSON.parse(row.payload) as NormalizedOrder;
      result.orders++;
      const plan = (existing: ExistingDelivery[]): PlannedDelivery[] => {
        const conversions = planConversions(order, config, network);
        // A cancelled order is reported and then reversed, in that order, like any other. The reversal follows the
        // conversion that will stand: one already recorded (it may have succeeded long ago) before the planned one.
        const recorded = existing.filter((d) => d.kind === CONVERSION && d.network === network);
        const standing = recorded.length ? recorded : conversions.map((c) => ({ network: c.network, status: c.status, reason: c.reason }));
        const reversals = order.cancelledAt ? planReversals({ ...config, networks: [connected] }, order, { kind: CANCELLATION }, standing) : [];
        return [...conversions, ...reversals];
      };
      const recorded = await recordOrder(db, { shop, order, keepPayload: true, plan, now });
      if (recorded.duplicate) continue;
      const conversion = recorded.created.find((p) => p.kind === "conversion");
      if (!conversion) result.alreadyThere++;
      else if (conversion.status === "skipped") result.skipped++;
      else result.queued++;
    }
  }
}

// Replay: a failed delivery, once the merchant has fixed what made it fail, goes back into the queue with a fresh
// retry window. Only failed (or stopped) deliveries can be replayed: a succeeded one would be sent twice, and a
// pending one is already queued.
import { invalidateDeliveryDay, invalidateFailedDays } from "../admin/accuracy-days.server.ts";
import type { Db } from "../db/client.server.ts";

const REPLAYABLE = ["failed", "stopped"];

export type ReplayResult = { replayed: true } | { replayed: false; reason: string };

const queuedAgain = (now: Date) => ({
  status: "pending",
  reason: "replayed",
  attempts: 0,
  firstAttemptAt: null,
  nextAttemptAt: now,
  completedAt: null,
  leaseOwner: null,
  leaseExpiresAt: null,
  updatedAt: now,
});

/** Queues one failed delivery of this shop again. */
export async function replayDelivery(db: Db, shop: string, deliveryId: string, now = new Date()): Promise<ReplayResult> {
  // Its day's accuracy is open again (app/admin/accuracy-days.server.ts): marked just before it is queued, since the
  // worker may take it at once.
  await invalidateDeliveryDay(db, shop, deliveryId, now);
  const updated = await db.delivery.updateMany({ where: { id: deliveryId, shop, status: { in: REPLAYABLE } }, data: queuedAgain(now) });
  if (updated.count) return { replayed: true };
  const row = await db.delivery.findFirst({ where: { id: deliveryId, shop }, select: { status: true } });
  return { replayed: false, reason: row ? `only failed deliveries can be replayed; this one is ${row.status}` : `no delivery ${deliveryId} in ${shop}` };
}

/** Queues every failed delivery of one network for this shop again; returns how many. */
export async function replayFailed(db: Db, shop: string, network: string, now = new Date()): Promise<number> {
  // Their days' accuracy is open again (app/admin/accuracy-days.server.ts): marked while they can still be found as
  // failed, just before they are queued.
  await invalidateFailedDays(db, shop, network, now);
  const updated = await db.delivery.updateMany({ where: { shop, network, status: "failed" }, data: queuedAgain(now) });
  return updated.count;
}

// Keys rejected by a network (401/403) pause that network's deliveries for the shop: sending more with the same
// keys cannot work. Each paused delivery remembers the credentials version it failed with; once the merchant
// saves new keys (saveSettingsFile bumps the version), the paused deliveries become pending again.
import type { Db } from "../db/client.server.ts";

/** Resumes paused deliveries whose connection has new credentials (or was never rejected at that version). */
export async function resumePausedDeliveries(db: Db, now: Date, scope?: { shop: string; network?: string }): Promise<number> {
  const groups = await db.delivery.groupBy({
    by: ["shop", "network", "credentialsVersion"],
    where: { status: "paused", ...(scope ? { shop: scope.shop, ...(scope.network ? { network: scope.network } : {}) } : {}) },
  });
  let resumed = 0;
  for (const group of groups) {
    const connection = await db.networkConnection.findUnique({
      where: { shop_network: { shop: group.shop, network: group.network } },
      select: { credentialsVersion: true, credentialsStatus: true },
    });
    if (!connection) continue;
    const stillRejected = connection.credentialsStatus === "rejected" && connection.credentialsVersion === group.credentialsVersion;
    if (stillRejected) continue;
    const result = await db.delivery.updateMany({
      where: { shop: group.shop, network: group.network, status: "paused", credentialsVersion: group.credentialsVersion },
      data: { status: "pending", reason: null, nextAttemptAt: now, updatedAt: now },
    });
    resumed += result.count;
  }
  return resumed;
}

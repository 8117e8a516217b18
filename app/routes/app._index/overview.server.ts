// What the merchant's overview shows, read straight from the database with explicit column lists: the
// credentials' ciphertext is never selected, so no secret can reach the page even by mistake.
import type { Db } from "../../db/client.server.ts";
import { networks } from "../../networks/registry.ts";
import { DELIVERY_STATUSES, type CredentialsStatus, type DeliveryStatus, type NetworkOverview, type Overview } from "./overview.ts";

export const OVERVIEW_WINDOW_DAYS = 7;
const RECENT_FAILURES = 10;
const ERROR_EXCERPT = 300;

const labelOf = (id: string) => networks.find((network) => network.id === id)?.label ?? id;

function credentialsStatus(value: string): CredentialsStatus {
  return value === "ok" || value === "rejected" ? value : "unverified";
}

function excerpt(text: string | null): string | null {
  if (!text) return null;
  return text.length > ERROR_EXCERPT ? `${text.slice(0, ERROR_EXCERPT - 1)}…` : text;
}

export async function loadOverview(db: Db, shop: string, now: Date = new Date()): Promise<Overview> {
  const since = new Date(now.getTime() - OVERVIEW_WINDOW_DAYS * 24 * 60 * 60 * 1000);
  const [connections, counts, failures] = await Promise.all([
    db.networkConnection.findMany({
      where: { shop },
      select: { network: true, enabled: true, credentialsStatus: true, credentialsError: true, credentialsCheckedAt: true },
    }),
    db.delivery.groupBy({
      by: ["network", "status"],
      where: { shop, createdAt: { gte: since } },
      _count: { _all: true },
    }),
    db.delivery.findMany({
      where: { shop, status: { in: ["failed", "paused"] } },
      orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
      take: RECENT_FAILURES,
      select: {
        id: true,
        network: true,
        kind: true,
        status: true,
        attempts: true,
        lastStatus: true,
        lastError: true,
        reason: true,
        updatedAt: true,
        order: { select: { name: true } },
      },
    }),
  ]);

  // Every network the app ships, then any the shop still has rows for (a network a later version dropped).
  const ids = [...networks.map((network) => network.id)];
  for (const connection of connections) if (!ids.includes(connection.network)) ids.push(connection.network);
  for (const count of counts) if (!ids.includes(count.network)) ids.push(count.network);

  const rows = ids.map((id): NetworkOverview => {
    const connection = connections.find((candidate) => candidate.network === id);
    const deliveries: Partial<Record<DeliveryStatus, number>> = {};
    for (const count of counts) {
      if (count.network !== id) continue;
      const status = (DELIVERY_STATUSES as readonly string[]).includes(count.status) ? (count.status as DeliveryStatus) : "pending";
      deliveries[status] = (deliveries[status] ?? 0) + count._count._all;
    }
    return {
      id,
      label: labelOf(id),
      configured: Boolean(connection),
      enabled: connection?.enabled ?? false,
      credentialsStatus: connection ? credentialsStatus(connection.credentialsStatus) : null,
      credentialsError: connection?.credentialsError ?? null,
      credentialsCheckedAt: connection?.credentialsCheckedAt?.toISOString() ?? null,
      deliveries,
    };
  });

  return {
    shop,
    configured: connections.length > 0,
    windowDays: OVERVIEW_WINDOW_DAYS,
    networks: rows,
    recentFailures: failures.map((failure) => ({
      id: failure.id,
      network: failure.network,
      networkLabel: labelOf(failure.network),
      orderName: failure.order.name,
      kind: failure.kind,
      status: failure.status,
      attempts: failure.attempts,
      httpStatus: failure.lastStatus,
      error: excerpt(failure.lastError ?? failure.reason),
      at: failure.updatedAt.toISOString(),
    })),
  };
}

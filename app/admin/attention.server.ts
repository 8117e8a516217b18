// Reads what needs the merchant's attention for one shop: rejected keys, a falling success rate, the embed off.
import type { Db } from "../db/client.server.ts";
import { networkById } from "../networks/registry.ts";
import type { EmbedStatus } from "./app-embed.ts";
import { SUCCESS_RATE_THRESHOLD, SUCCESS_RATE_WINDOW_HOURS, type Attention } from "./attention.ts";

const labelOf = (id: string) => networkById(id)?.label ?? id;

/** Deliveries that settled (delivered or failed for good) per network since `since`. */
export async function settledSince(db: Db, shop: string, since: Date) {
  const groups = await db.delivery.groupBy({
    by: ["network", "status"],
    where: { shop, completedAt: { gte: since }, status: { in: ["succeeded", "failed"] } },
    _count: { _all: true },
  });
  const out = new Map<string, { succeeded: number; failed: number }>();
  for (const group of groups) {
    const entry = out.get(group.network) ?? { succeeded: 0, failed: 0 };
    entry[group.status === "succeeded" ? "succeeded" : "failed"] += group._count._all;
    out.set(group.network, entry);
  }
  return out;
}

export async function loadAttention(db: Db, shop: string, embed: () => Promise<EmbedStatus>, now = new Date()): Promise<Attention> {
  const since = new Date(now.getTime() - SUCCESS_RATE_WINDOW_HOURS * 3_600_000);
  const [connections, settled] = await Promise.all([
    db.networkConnection.findMany({
      where: { shop, enabled: true },
      select: { network: true, credentialsStatus: true, credentialsError: true },
      orderBy: { network: "asc" },
    }),
    settledSince(db, shop, since),
  ]);
  const rejected = connections
    .filter((connection) => connection.credentialsStatus === "rejected")
    .map((connection) => ({ network: connection.network, label: labelOf(connection.network), error: connection.credentialsError }));
  const lowSuccess = [...settled.entries()]
    .map(([network, counts]) => ({ network, label: labelOf(network), ...counts, rate: counts.succeeded / (counts.succeeded + counts.failed) }))
    .filter((entry) => entry.rate < SUCCESS_RATE_THRESHOLD)
    .sort((a, b) => a.network.localeCompare(b.network));
  // Until a network is on, the embed has nothing to capture: the home checklist says what to do first.
  return { rejected, lowSuccess, embed: connections.length ? await embed() : null };
}

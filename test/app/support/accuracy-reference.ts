// The accuracy page as it was counted before settled days were kept (app/admin/accuracy-days.server.ts): every
// figure straight from the window's orders, the oracle test/app/accuracy-days.test.ts compares the page with.
// Accuracy per network for a window of days: of the orders paid in it, how many each network was given, what
// became of them, and the accuracy figure (delivered + rightly skipped) / orders. And capture health: the share of
// orders that arrived with any click id, by day (a sudden drop means the embed or a tracker broke). Aggregates
// are SQL read from indexes alone (Order: shop, paidAt, test, id; Delivery: orderId, kind, network, status,
// reason), never a read of every order's payload.
import { kindOf, type Db } from "../../../app/db/client.server.ts";
import type { AnyNetworkDefinition } from "../../../app/networks/registry.ts";
import type { Accuracy, AccuracyWindow, NetworkAccuracy } from "../../../app/admin/accuracy.ts";
import { dayOf, daysBetween, placeholders, timeCast, timeParam } from "../../../app/admin/by-day.server.ts";

const DAY = 86_400_000;

/** A skip for want of the network's click, as the networks word it (app/networks/<id>/attribution.ts). */
const noClickPrefix = (label: string) => `no ${label} click`;

/** The part of a skip reason before its details ("test order", "no Retrack click on this order"). */
function reasonGroup(db: Db): string {
  return kindOf(db) === "postgresql"
    ? `split_part(d."reason", ':', 1)`
    : `CASE WHEN instr(d."reason", ':') > 0 THEN substr(d."reason", 1, instr(d."reason", ':') - 1) ELSE d."reason" END`;
}

export async function loadAccuracyLive(db: Db, shop: string, definitions: readonly AnyNetworkDefinition[], window: AccuracyWindow, now = new Date()): Promise<Accuracy> {
  const since = new Date(`${new Date(now.getTime() - (window - 1) * DAY).toISOString().slice(0, 10)}T00:00:00Z`);
  const at = timeParam(db, since);
  const cast = timeCast(db);

  let p = placeholders(db);
  const paidQuery = db.$queryRawUnsafe<Array<{ n: number | bigint }>>(
    `SELECT COUNT(*) AS "n" FROM "Order" WHERE "shop" = ${p()} AND "paidAt" >= ${p()}${cast}`,
    shop,
    at,
  );
  p = placeholders(db);
  const group = reasonGroup(db);
  // SQLite's CROSS JOIN keeps the written order: the window's orders (Order: shop, paidAt, test, id), then each
  // one's conversions from the (orderId, kind, network, status, reason) index alone, never a walk through all of
  // the shop's deliveries nor a read of their rows. The shop is the order's: a delivery is always written with its
  // order's shop, so naming d."shop" too would only cost a row read per delivery.
  const outcomesQuery = db.$queryRawUnsafe<Array<{ network: string; status: string; reason: string | null; n: number | bigint }>>(
    `SELECT d."network", d."status", CASE WHEN d."status" = 'skipped' THEN ${group} ELSE NULL END AS "reason", COUNT(*) AS "n"
     FROM "Order" o ${kindOf(db) === "sqlite" ? "CROSS JOIN" : "JOIN"} "Delivery" d ON d."orderId" = o."id"
     WHERE o."shop" = ${p()} AND o."paidAt" >= ${p()}${cast} AND d."kind" = 'conversion'
     GROUP BY d."network", d."status", CASE WHEN d."status" = 'skipped' THEN ${group} ELSE NULL END`,
    shop,
    at,
  );
  const connectionsQuery = db.networkConnection.findMany({ where: { shop, enabled: true }, select: { network: true } });
  const [paidRows, outcomes, connections] = await Promise.all([paidQuery, outcomesQuery, connectionsQuery]);
  const paidOrders = Number(paidRows[0]?.n ?? 0);

  // The networks switched on, and any other that was given orders in the window (switched off since).
  const ids = definitions.map((definition) => definition.id).filter((id) => connections.some((c) => c.network === id) || outcomes.some((row) => row.network === id));
  for (const row of outcomes) if (!ids.includes(row.network)) ids.push(row.network);
  const labelOf = (id: string) => definitions.find((definition) => definition.id === id)?.label ?? id;

  const networks: NetworkAccuracy[] = ids.map((network) => {
    const rows = outcomes.filter((row) => row.network === network);
    const count = (status: string) => rows.filter((row) => row.status === status).reduce((sum, row) => sum + Number(row.n), 0);
    const skippedMap = new Map<string, number>();
    for (const row of rows) if (row.status === "skipped") skippedMap.set(row.reason ?? "no reason recorded", (skippedMap.get(row.reason ?? "no reason recorded") ?? 0) + Number(row.n));
    const skipped = [...skippedMap.entries()].map(([reason, n]) => ({ reason, count: n })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
    const total = rows.reduce((sum, row) => sum + Number(row.n), 0);
    const delivered = count("succeeded");
    const failed = count("failed") + count("stopped");
    const skippedTotal = skipped.reduce((sum, entry) => sum + entry.count, 0);
    const noClick = skipped.filter((entry) => entry.reason.startsWith(noClickPrefix(labelOf(network)))).reduce((sum, entry) => sum + entry.count, 0);
    return {
      network,
      label: labelOf(network),
      paidOrders,
      withClick: total - noClick,
      delivered,
      failed,
      open: total - delivered - failed - skippedTotal,
      skipped,
      missing: Math.max(0, paidOrders - total),
      accuracy: paidOrders ? (delivered + skippedTotal) / paidOrders : null,
    };
  });

  // Networks that need a click of their own: those whose capture the storefront knows, or that skipped orders
  // for want of one in this window. Refersion reports every order, so it says nothing about capture.
  const captureNetworks = networks
    .filter((entry) => definitions.find((definition) => definition.id === entry.network)?.storefront || entry.skipped.some((s) => s.reason.startsWith(noClickPrefix(entry.label))))
    .map((entry) => entry.network);
  const days = daysBetween(since, now);
  let capture = days.map((day) => ({ day, orders: 0, withClick: 0 }));
  if (captureNetworks.length) {
    p = placeholders(db);
    const day = dayOf(db, `o."paidAt"`);
    // Placeholders are made in the order they appear in the text (SQLite's ? are positional).
    const networkList = captureNetworks.map(() => p());
    const noClick = captureNetworks.map(() => `(d."network" = ${p()} AND d."reason" LIKE ${p()})`);
    const noClickArgs = captureNetworks.flatMap((network) => [network, `${noClickPrefix(labelOf(network))}%`]);
    const rows = await db.$queryRawUnsafe<Array<{ day: string; orders: number | bigint; clicked: number | bigint }>>(
      `SELECT ${day} AS "day", COUNT(*) AS "orders",
         SUM(CASE WHEN EXISTS (
           SELECT 1 FROM "Delivery" d WHERE d."orderId" = o."id" AND d."kind" = 'conversion' AND d."network" IN (${networkList.join(", ")})
             AND NOT (d."status" = 'skipped' AND (${noClick.join(" OR ")}))
         ) THEN 1 ELSE 0 END) AS "clicked"
       FROM "Order" o WHERE o."shop" = ${p()} AND o."paidAt" >= ${p()}${cast} AND NOT o."test"
       GROUP BY ${day}`,
      ...captureNetworks,
      ...noClickArgs,
      shop,
      at,
    );
    capture = days.map((d) => {
      const row = rows.find((r) => r.day === d);
      return { day: d, orders: Number(row?.orders ?? 0), withClick: Number(row?.clicked ?? 0) };
    });
  }
  return { window, days, networks, capture, captureNetworks };
}

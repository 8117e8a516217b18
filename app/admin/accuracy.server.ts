// Accuracy per network for a window of days: of the orders paid in it, how many each network was given, what
// became of them, and the accuracy figure (delivered + rightly skipped) / orders. And capture health: the share of
// orders that arrived with any click id, by day (a sudden drop means the embed or a tracker broke).
// Settled days are read back from app/admin/accuracy-days.server.ts; only the others (today, yesterday, days with
// conversions still open) are counted, by SQL read from indexes alone (Order: shop, paidAt, test, id; Delivery:
// orderId, kind, network, status, reason), never a read of every order's payload. Days this page counts and finds
// settled are stored as it goes: it has their figures already, so that costs one statement and no counting.
import { kindOf, type Db } from "../db/client.server.ts";
import type { AnyNetworkDefinition } from "../networks/registry.ts";
import type { Accuracy, AccuracyWindow, NetworkAccuracy } from "./accuracy.ts";
import { dayMaySettle, FINAL_STATUSES, figuresVersion, readSettledDays, writeSettledDays, type DayFigures } from "./accuracy-days.server.ts";
import { dayOf, daysBetween, placeholders, timeCast, timeParam } from "./by-day.server.ts";

const DAY = 86_400_000;
/** More separate runs of days to count than this are counted as one run (a few settled days counted again). */
const MAX_RUNS = 3;

/** A skip for want of the network's click, as the networks word it (app/networks/<id>/attribution.ts). */
const noClickPrefix = (label: string) => `no ${label} click`;

/** The part of a skip reason before its details ("test order", "no Retrack click on this order"). */
function reasonGroup(db: Db): string {
  return kindOf(db) === "postgresql"
    ? `split_part(d."reason", ':', 1)`
    : `CASE WHEN instr(d."reason", ':') > 0 THEN substr(d."reason", 1, instr(d."reason", ':') - 1) ELSE d."reason" END`;
}

const emptyDay = (): DayFigures => ({ orders: 0, realOrders: 0, outcomes: [], clicked: [] });

/** Runs of consecutive days to count, each as [first day, the day after the last or null for open-ended]. */
function runsOf(days: string[], counted: (day: string) => boolean): Array<[string, string | null]> {
  const runs: Array<[number, number]> = [];
  days.forEach((day, i) => {
    if (!counted(day)) return;
    const last = runs.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  });
  const merged = runs.length > MAX_RUNS ? [[runs[0]![0], runs.at(-1)![1]] as [number, number]] : runs;
  // The newest run is open-ended: an order paid after `now` by another server's clock still counts, as it always has.
  return merged.map(([a, b]) => [days[a]!, b === days.length - 1 ? null : days[b + 1]!]);
}

/** Every day's figures in [from, to), the window's days among them present even without orders. */
async function countDays(db: Db, shop: string, definitions: readonly AnyNetworkDefinition[], from: string, to: string | null): Promise<Map<string, DayFigures>> {
  const cast = timeCast(db);
  const range = (p: () => string) => `o."shop" = ${p()} AND o."paidAt" >= ${p()}${cast}${to ? ` AND o."paidAt" < ${p()}${cast}` : ""}`;
  const rangeArgs = [shop, timeParam(db, new Date(`${from}T00:00:00Z`)), ...(to ? [timeParam(db, new Date(`${to}T00:00:00Z`))] : [])];
  const day = dayOf(db, `o."paidAt"`);
  const group = reasonGroup(db);

  let p = placeholders(db);
  // SQLite's CROSS JOIN keeps the written order: the days' orders (Order: shop, paidAt, test, id), then each one's
  // conversions from the (orderId, kind, network, status, reason) index alone, never a walk through all of the
  // shop's deliveries nor a read of their rows. The shop is the order's: a delivery is always written with its
  // order's shop, so naming d."shop" too would only cost a row read per delivery.
  const outcomesQuery = db.$queryRawUnsafe<Array<{ day: string; network: string; status: string; reason: string | null; n: number | bigint }>>(
    `SELECT ${day} AS "day", d."network", d."status", CASE WHEN d."status" = 'skipped' THEN ${group} ELSE NULL END AS "reason", COUNT(*) AS "n"
     FROM "Order" o ${kindOf(db) === "sqlite" ? "CROSS JOIN" : "JOIN"} "Delivery" d ON d."orderId" = o."id"
     WHERE ${range(p)} AND d."kind" = 'conversion'
     GROUP BY 1, 2, 3, 4`,
    ...rangeArgs,
  );

  // Each non-test order's networks whose click it carried: a conversion that was not skipped for want of that
  // network's own click ("no <label> click…"). Which networks count for capture is decided over the whole window
  // afterwards, so the day keeps the sets, not a count.
  p = placeholders(db);
  const label = definitions.length ? `CASE d."network" ${definitions.map(() => `WHEN ${p()} THEN ${p()}`).join(" ")} ELSE d."network" END` : `d."network"`;
  const labelArgs = definitions.flatMap((definition) => [definition.id, definition.label]);
  const networks = kindOf(db) === "postgresql" ? `string_agg(DISTINCT d."network", ',' ORDER BY d."network")` : `group_concat(DISTINCT d."network")`;
  const ordersQuery = db.$queryRawUnsafe<Array<{ day: string; test: boolean | number | bigint; clicked: string | null; n: number | bigint }>>(
    `SELECT "day", "test", "clicked", COUNT(*) AS "n" FROM (
       SELECT ${day} AS "day", o."test" AS "test", CASE WHEN o."test" THEN NULL ELSE (
         SELECT ${networks} FROM "Delivery" d WHERE d."orderId" = o."id" AND d."kind" = 'conversion'
           AND NOT (d."status" = 'skipped' AND d."reason" LIKE 'no ' || ${label} || ' click%')
       ) END AS "clicked"
       FROM "Order" o WHERE ${range(p)}
     ) AS "t" GROUP BY "day", "test", "clicked"`,
    ...labelArgs,
    ...rangeArgs,
  );
  const [outcomes, orders] = await Promise.all([outcomesQuery, ordersQuery]);

  const out = new Map<string, DayFigures>();
  const figuresOf = (d: string) => out.get(d) ?? out.set(d, emptyDay()).get(d)!;
  for (const row of outcomes) figuresOf(row.day).outcomes.push([row.network, row.status, row.reason, Number(row.n)]);
  for (const row of orders) {
    const figures = figuresOf(row.day);
    const n = Number(row.n);
    figures.orders += n;
    if (Number(row.test)) continue;
    figures.realOrders += n;
    const key = (row.clicked ?? "").split(",").filter(Boolean).sort().join(",");
    const entry = figures.clicked.find(([k]) => k === key);
    if (entry) entry[1] += n;
    else figures.clicked.push([key, n]);
  }
  return out;
}

/**
 * Counts and stores the window's settled days that are not stored yet, one day per statement, so that a
 * merchant's first visit reads them back instead of counting weeks live (bench/admin-scale.bench.ts, "first
 * load"). The worker runs it hourly (app/pipeline/worker.server.ts); one day at a time keeps each statement
 * short, since on SQLite a statement holds the serving process's event loop. Returns the days stored.
 */
export async function fillSettledDays(db: Db, shop: string, definitions: readonly AnyNetworkDefinition[], now = new Date(), window: AccuracyWindow = 90): Promise<number> {
  const since = new Date(`${new Date(now.getTime() - (window - 1) * DAY).toISOString().slice(0, 10)}T00:00:00Z`);
  const days = daysBetween(since, now);
  const version = figuresVersion(definitions);
  const stored = await readSettledDays(db, shop, days[0]!, days.at(-1)!, version);
  let filled = 0;
  for (const [i, day] of days.entries()) {
    if (stored.has(day) || !dayMaySettle(day, now)) continue;
    const figures = (await countDays(db, shop, definitions, day, days[i + 1] ?? null)).get(day) ?? emptyDay();
    if (!figures.outcomes.every(([, status]) => FINAL_STATUSES.has(status))) continue;
    await writeSettledDays(db, shop, new Map([[day, figures]]), version, now);
    filled++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return filled;
}

export async function loadAccuracy(db: Db, shop: string, definitions: readonly AnyNetworkDefinition[], window: AccuracyWindow, now = new Date()): Promise<Accuracy> {
  const since = new Date(`${new Date(now.getTime() - (window - 1) * DAY).toISOString().slice(0, 10)}T00:00:00Z`);
  const days = daysBetween(since, now);
  const version = figuresVersion(definitions);

  const connectionsQuery = db.networkConnection.findMany({ where: { shop, enabled: true }, select: { network: true } });
  const [stored, connections] = await Promise.all([readSettledDays(db, shop, days[0]!, days.at(-1)!, version), connectionsQuery]);
  const perDay = new Map(stored);
  const settledNow = new Map<string, DayFigures>();
  for (const [from, to] of runsOf(days, (day) => !stored.has(day))) {
    const counted = await countDays(db, shop, definitions, from, to);
    for (const day of days) if (day >= from && (to === null || day < to) && !counted.has(day)) counted.set(day, emptyDay());
    for (const [day, figures] of counted) {
      if (stored.has(day)) continue;
      perDay.set(day, figures);
      if (days.includes(day) && dayMaySettle(day, now) && figures.outcomes.every(([, status]) => FINAL_STATUSES.has(status))) settledNow.set(day, figures);
    }
  }
  await writeSettledDays(db, shop, settledNow, version, now);

  let paidOrders = 0;
  const totals = new Map<string, { network: string; status: string; reason: string | null; n: number }>();
  for (const figures of perDay.values()) {
    paidOrders += figures.orders;
    for (const [network, status, reason, n] of figures.outcomes) {
      const key = `${network}\u0000${status}\u0000${reason ?? ""}\u0001${reason === null ? 0 : 1}`;
      const entry = totals.get(key);
      if (entry) entry.n += n;
      else totals.set(key, { network, status, reason, n });
    }
  }
  const outcomes = [...totals.values()].sort((a, b) => a.network.localeCompare(b.network));

  // The networks switched on, and any other that was given orders in the window (switched off since).
  const ids = definitions.map((definition) => definition.id).filter((id) => connections.some((c) => c.network === id) || outcomes.some((row) => row.network === id));
  for (const row of outcomes) if (!ids.includes(row.network)) ids.push(row.network);
  const labelOf = (id: string) => definitions.find((definition) => definition.id === id)?.label ?? id;

  const networks: NetworkAccuracy[] = ids.map((network) => {
    const rows = outcomes.filter((row) => row.network === network);
    const count = (status: string) => rows.filter((row) => row.status === status).reduce((sum, row) => sum + row.n, 0);
    const skippedMap = new Map<string, number>();
    for (const row of rows) if (row.status === "skipped") skippedMap.set(row.reason ?? "no reason recorded", (skippedMap.get(row.reason ?? "no reason recorded") ?? 0) + row.n);
    const skipped = [...skippedMap.entries()].map(([reason, n]) => ({ reason, count: n })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
    const total = rows.reduce((sum, row) => sum + row.n, 0);
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
  const capture = days.map((day) => {
    const figures = perDay.get(day);
    if (!captureNetworks.length || !figures) return { day, orders: 0, withClick: 0 };
    const withClick = figures.clicked.filter(([set]) => set.split(",").some((network) => captureNetworks.includes(network))).reduce((sum, [, n]) => sum + n, 0);
    return { day, orders: figures.realOrders, withClick };
  });
  return { window, days, networks, capture, captureNetworks };
}

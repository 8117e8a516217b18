// The home page: the setup checklist (a network connected, the app embed on, the first order relayed) and the
// last 30 days at a glance. Every query names the shop.
import type { Db } from "../db/client.server.ts";
import { networkById, networks } from "../networks/registry.ts";
import type { EmbedStatus } from "./app-embed.ts";
import { dayOf, daysBetween, placeholders, timeCast, timeParam } from "./by-day.server.ts";
import type { ChecklistStep, DaySeries, Home } from "./home.ts";

export const HOME_WINDOW_DAYS = 30;
const DAY = 86_400_000;

const labelOf = (id: string) => networkById(id)?.label ?? id;

async function relayedByDay(db: Db, shop: string, since: Date): Promise<Array<{ network: string; day: string; n: number }>> {
  const p = placeholders(db);
  const day = dayOf(db, `"completedAt"`);
  const rows = await db.$queryRawUnsafe<Array<{ network: string; day: string; n: number | bigint }>>(
    `SELECT "network", ${day} AS "day", COUNT(*) AS "n" FROM "Delivery"
     WHERE "shop" = ${p()} AND "status" = 'succeeded' AND "kind" = 'conversion' AND "completedAt" >= ${p()}${timeCast(db)}
     GROUP BY "network", ${day}`,
    shop,
    timeParam(db, since),
  );
  return rows.map((row) => ({ network: row.network, day: row.day, n: Number(row.n) }));
}

function networkStep(connections: Array<{ network: string; enabled: boolean; credentialsStatus: string; credentialsError: string | null }>): ChecklistStep {
  const rank = (id: string) => (networks.findIndex((network) => network.id === id) + networks.length + 1) % (networks.length + 1);
  const on = connections.filter((connection) => connection.enabled).sort((a, b) => rank(a.network) - rank(b.network));
  const working = on.filter((connection) => connection.credentialsStatus !== "rejected");
  const title = "Connect an affiliate network";
  if (working.length) {
    return { id: "network", title, state: "done", detail: `Sending orders to ${working.map((c) => labelOf(c.network)).join(", ")}.`, action: { content: "Manage networks", url: "/app/networks" } };
  }
  if (on.length) {
    return {
      id: "network",
      title,
      state: "problem",
      detail: `${on.map((c) => labelOf(c.network)).join(", ")} rejected the keys: paste working keys to resume.`,
      action: { content: "Update keys", url: "/app/networks" },
    };
  }
  return {
    id: "network",
    title,
    state: "todo",
    detail: "Switch on the networks you work with and paste their keys.",
    action: { content: "Connect a network", url: "/app/networks" },
  };
}

function embedStep(embed: EmbedStatus | null): ChecklistStep {
  const title = "Switch on the app embed in your live theme";
  if (!embed) {
    return { id: "embed", title, state: "todo", detail: "Connect a network first; then switch on the embed so the storefront captures affiliate clicks.", action: null };
  }
  if (embed.state === "on") {
    return { id: "embed", title, state: "done", detail: `The embed is on in ${embed.themeName ? `"${embed.themeName}"` : "your live theme"}.`, action: null };
  }
  if (embed.state === "checking") {
    return {
      id: "embed",
      title,
      state: "todo",
      detail: "Checking your live theme for the embed… Reload this page in a moment to see the result.",
      action: { content: "Open the theme editor", url: embed.deepLink, external: true },
    };
  }
  const detail =
    embed.state === "off"
      ? `The embed is ${embed.reason === "disabled" ? "switched off" : "not added"} in ${embed.themeName ? `"${embed.themeName}"` : "your live theme"}. Open the theme editor, switch on Affiliate Relay under App embeds, and save.`
      : `Whether the embed is on could not be checked: ${embed.message}. Open the theme editor to look.`;
  return { id: "embed", title, state: embed.state === "off" ? "todo" : "problem", detail, action: { content: "Open the theme editor", url: embed.deepLink, external: true } };
}

function firstOrderStep(first: { at: Date; network: string; order: string } | null, anyOrder: boolean): ChecklistStep {
  const title = "Relay your first order";
  if (first) {
    return {
      id: "first-order",
      title,
      state: "done",
      detail: `Order ${first.order} reached ${labelOf(first.network)} on ${first.at.toISOString().slice(0, 10)}.`,
      action: { content: "See deliveries", url: "/app/deliveries" },
    };
  }
  return {
    id: "first-order",
    title,
    state: "todo",
    detail: anyOrder
      ? "Orders arrived but none has reached a network yet: see what happened to them."
      : "When a shopper pays for an order, it is sent to your networks within moments.",
    action: anyOrder ? { content: "See deliveries", url: "/app/deliveries" } : null,
  };
}

export async function loadHome(db: Db, shop: string, embed: () => Promise<EmbedStatus>, now = new Date()): Promise<Home> {
  const since = new Date(now.getTime() - (HOME_WINDOW_DAYS - 1) * DAY);
  const windowStart = new Date(`${since.toISOString().slice(0, 10)}T00:00:00Z`);
  const [connections, first, anyOrder, byDay, stuck] = await Promise.all([
    db.networkConnection.findMany({ where: { shop }, select: { network: true, enabled: true, credentialsStatus: true, credentialsError: true } }),
    db.delivery.findFirst({
      where: { shop, status: "succeeded" },
      orderBy: [{ completedAt: "asc" }],
      select: { completedAt: true, network: true, order: { select: { name: true } } },
    }),
    db.order.findFirst({ where: { shop }, select: { id: true } }),
    relayedByDay(db, shop, windowStart),
    db.delivery.groupBy({ by: ["network", "status"], where: { shop, status: { in: ["failed", "paused"] } }, _count: { _all: true } }),
  ]);
  const failures = [...new Set(stuck.map((row) => row.network))].sort().map((network) => {
    const count = (status: string) => stuck.find((row) => row.network === network && row.status === status)?._count._all ?? 0;
    return { network, label: labelOf(network), failed: count("failed"), paused: count("paused") };
  });
  const embedStatus = connections.some((connection) => connection.enabled) ? await embed() : null;
  const days = daysBetween(windowStart, now);
  const ids = networks.map((network) => network.id).filter((id) => connections.some((c) => c.network === id && c.enabled) || byDay.some((row) => row.network === id));
  for (const row of byDay) if (!ids.includes(row.network)) ids.push(row.network);
  const relayed: DaySeries[] = ids.map((network) => ({
    network,
    label: labelOf(network),
    counts: days.map((day) => byDay.filter((row) => row.network === network && row.day === day).reduce((sum, row) => sum + row.n, 0)),
  }));
  return {
    checklist: [
      networkStep(connections),
      embedStep(embedStatus),
      firstOrderStep(first ? { at: first.completedAt ?? now, network: first.network, order: first.order.name } : null, Boolean(anyOrder)),
    ],
    windowDays: HOME_WINDOW_DAYS,
    days,
    relayed,
    embed: embedStatus,
    failures,
  };
}

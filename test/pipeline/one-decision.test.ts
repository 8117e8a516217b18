// One decision point (app/networks/decide.ts): what ingest plans, what the worker's prepare decides when it takes
// the delivery up, and what `preview` shows are the same decision, for a table of orders x settings x topics and
// every registered network. Ingest and prepare run on a real database; preview reads the same payloads and
// settings from files, as the command does.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preview, type PreviewEntry } from "../../app/cli/commands/preview.ts";
import { setDb, type Db } from "../../app/db/client.server.ts";
import type { DeliveryDecision } from "../../app/networks/decide.ts";
import { redactRequest } from "../../app/networks/http.ts";
import { REFERSION_CART_ATTRIBUTE } from "../../app/networks/refersion/storefront.ts";
import { networks, type NetworkId } from "../../app/networks/registry.ts";
import { orderFromShopify, refundFromShopify } from "../../app/orders/from-shopify.ts";
import type { ClaimedDelivery } from "../../app/pipeline/claim.server.ts";
import { prepare, type DeliverContext } from "../../app/pipeline/deliver.server.ts";
import { ingestCancelledOrder, ingestPaidOrder, ingestRefund } from "../../app/pipeline/ingest.server.ts";
import { CANCELLATION, CONVERSION, refundKind } from "../../app/pipeline/model.ts";
import { DEFAULT_RETRY_POLICY } from "../../app/pipeline/retry-policy.ts";
import { closeDriver } from "../../app/pipeline/sql/driver.server.ts";
import { loadShopConfig, saveSettingsFile } from "../../app/settings/store.server.ts";
import { shopifyOrder, shopifyRefund } from "../../devkit/orders/shopify-order.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";

const scratch = mkdtempSync(path.join(tmpdir(), "affiliate-relay-one-decision-"));
const everyClick = Object.fromEntries([
  ...networks.flatMap((network) => (network.storefront ? [[network.storefront.cartAttribute, network.storefront.example]] : [])),
  [REFERSION_CART_ATTRIBUTE, "hWN4parity"],
]);
const landingClicks = `/?${networks.flatMap((network) => (network.storefront ? [`${network.storefront.param}=${encodeURIComponent(network.storefront.example)}`] : [])).join("&")}`;

const orders = {
  "every click": { noteAttributes: everyClick },
  "clicks in the landing URL only": { noteAttributes: {}, landingSite: landingClicks },
  "no click": { noteAttributes: {} },
  "a test order with every click": { noteAttributes: everyClick, test: true },
} as const;

type SettingsCase = { sendTestOrders: boolean; off: NetworkId[]; rejected: NetworkId[]; conversionsSettle: boolean };
const settingsCases: Record<string, SettingsCase> = {
  "all on": { sendTestOrders: false, off: [], rejected: [], conversionsSettle: true },
  "all on, test orders sent": { sendTestOrders: true, off: [], rejected: [], conversionsSettle: true },
  "Retrack and FlexOffers off": { sendTestOrders: false, off: ["retrack", "flexoffers"], rejected: [], conversionsSettle: true },
  "Refersion's keys rejected": { sendTestOrders: true, off: [], rejected: ["refersion"], conversionsSettle: true },
  "conversions still on their way": { sendTestOrders: false, off: [], rejected: [], conversionsSettle: false },
};

function settingsFile(c: SettingsCase) {
  return {
    currency: "shop",
    sendTestOrders: c.sendTestOrders,
    networks: Object.fromEntries(networks.map((network) => [network.id, { ...network.placeholderSettings!, enabled: !c.off.includes(network.id as NetworkId) }])),
  };
}

/** A decision as each of the three can show it: ingest's row status, the worker's decision, preview's entry. */
type Seen = { action: string; reason?: string };

function fromDecision(decision: DeliveryDecision): Seen {
  return decision.action === "send" ? { action: "send" } : { action: decision.action, reason: decision.reason };
}

const fromRow = (row: { status: string; reason: string | null } | undefined): Seen | "none" => {
  if (!row) return "none";
  const action = { pending: "send", skipped: "skip", waiting: "wait", paused: "pause" }[row.status] ?? row.status;
  return action === "send" ? { action } : { action, reason: row.reason ?? undefined };
};

const fromPreview = (entry: PreviewEntry): Seen => (entry.action === "send" ? { action: "send" } : { action: "skip", reason: entry.reason });

describe.each(databaseKinds)("one decision, on %s", (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = (await createTestDb(kind)).db;
    setDb(db);
  });
  afterAll(async () => {
    setDb(undefined);
    await closeDriver(db);
    await db.$disconnect();
  });

  const ctx = (): DeliverContext => ({
    db,
    owner: "parity",
    now: () => new Date(),
    random: Math.random,
    retry: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: 1_000,
    leaseMs: 60_000,
    shopConfig: (shop) => loadShopConfig(db, shop),
  });

  let n = 0;
  const cases = Object.entries(orders).flatMap(([orderName, spec]) => Object.entries(settingsCases).map(([settingsName, settings]) => [orderName, spec, settingsName, settings] as const));

  it.each(cases)("%s, %s: ingest, the worker and preview decide alike for every topic and network", async (_orderName, spec, settingsName, settings) => {
    const i = ++n;
    const shop = `one-decision-${i}.myshopify.com`;
    const id = 6_200_000_000 + i;
    const payload = shopifyOrder({
      id,
      name: `#${7000 + i}`,
      lines: [
        { id: 1, quantity: 2, unitPrice: 2_450, discounts: [490], taxes: [{ amount: 353, rate: "0.0825" }] },
        { id: 2, quantity: 1, unitPrice: 1_800, taxes: [{ amount: 149, rate: "0.0825" }] },
      ],
      shipping: { price: 599 },
      discountCodes: ["WELCOME10"],
      ...spec,
    });
    const cancelled = { ...payload, cancelled_at: "2026-11-21T10:00:00-05:00" };
    const refunds = [
      shopifyRefund({ id: 91_000 + i * 2, orderId: id, lines: [{ lineItemId: 2, quantity: 1, subtotal: 1_800, tax: 149 }] }),
      // An amount back without items.
      shopifyRefund({ id: 91_001 + i * 2, orderId: id, lines: [] }),
    ];
    await saveSettingsFile(db, shop, settingsFile(settings));
    if (settings.rejected.length) {
      await db.networkConnection.updateMany({ where: { shop, network: { in: settings.rejected } }, data: { credentialsStatus: "rejected" } });
    }
    const files = {
      settings: path.join(scratch, `${i}-settings.json`),
      paid: path.join(scratch, `${i}-paid.json`),
      cancelled: path.join(scratch, `${i}-cancelled.json`),
      refunds: refunds.map((_, r) => path.join(scratch, `${i}-refund-${r}.json`)),
    };
    writeFileSync(files.settings, JSON.stringify(settingsFile(settings)));
    writeFileSync(files.paid, JSON.stringify(payload));
    writeFileSync(files.cancelled, JSON.stringify(cancelled));
    refunds.forEach((refund, r) => writeFileSync(files.refunds[r]!, JSON.stringify({ order: payload, refund })));

    const rows = async () => db.delivery.findMany({ where: { shop } });
    const orderRow = async () => db.order.findFirstOrThrow({ where: { shop, shopifyOrderId: String(id) } });
    const normalized = orderFromShopify(payload);

    /** For each network: ingest's row, prepare's decision on that delivery (or one like it), preview's entry. */
    async function compare(topic: "orders/paid" | "orders/cancelled" | "refunds/create", deliveryKind: string, previewFile: string, refundPayload?: unknown) {
      const config = await loadShopConfig(db, shop);
      const entries = await preview({ orderFile: previewFile, settingsFile: files.settings, topic });
      const stored = await rows();
      const orderId = (await orderRow()).id;
      for (const network of networks) {
        const where = `${topic} ${network.id}`;
        const row = stored.find((d) => d.network === network.id && d.kind === deliveryKind);
        // A network ingest planned nothing for is switched off: the worker decides so for such a delivery too.
        const claimed: ClaimedDelivery = {
          id: row?.id ?? `absent-${network.id}`,
          shop,
          orderId,
          network: network.id,
          kind: deliveryKind,
          attempts: 0,
          firstAttemptAt: null,
          externalRef: row?.externalRef ?? null,
          payload: row?.payload ?? (refundPayload === undefined ? null : JSON.stringify(refundFromShopify(refundPayload, normalized))),
          leaseOwner: "parity",
        };
        const prepared = await prepare(ctx(), claimed, config);
        if ("skip" in prepared) throw new Error(`${where}: prepare found no order (${prepared.skip})`);
        const worker = prepared.decision;
        const ingest = fromRow(row);
        if (ingest === "none") expect(worker, where).toMatchObject({ action: "skip", rule: "switched_off" });
        else expect(ingest, where).toEqual(fromDecision(worker));

        // Preview knows nothing of keys the network rejected, nor of a conversion still on its way.
        if (settings.rejected.includes(network.id as NetworkId) || worker.action === "wait") continue;
        const entry = entries.find((e) => e.network === network.id)!;
        expect(fromPreview(entry), where).toEqual(fromDecision(worker));
        if (worker.action === "send") expect(entry.request, where).toEqual(redactRequest(worker.request));
      }
    }

    expect((await ingestPaidOrder(db, { shop, eventId: `paid-${i}`, payload })).kind).toBe("recorded");
    await compare("orders/paid", CONVERSION, files.paid);

    // The worker delivered what it could; Shopify's answers gave no reference the reversals could use.
    if (settings.conversionsSettle) await db.delivery.updateMany({ where: { shop, kind: CONVERSION, status: "pending" }, data: { status: "succeeded" } });

    expect((await ingestCancelledOrder(db, { shop, eventId: `cancelled-${i}`, payload: cancelled })).kind).toBe("recorded");
    await compare("orders/cancelled", CANCELLATION, files.cancelled);

    for (const [r, refund] of refunds.entries()) {
      expect((await ingestRefund(db, { shop, eventId: `refund-${i}-${r}`, payload: refund })).kind, settingsName).toBe("recorded");
      await compare("refunds/create", refundKind(String(refund.id)), files.refunds[r]!, refund);
    }
  });

  it("covers every kind of decision somewhere in the table", async () => {
    const statuses = await db.delivery.groupBy({ by: ["status"], _count: true });
    expect(statuses.map((s) => s.status).sort()).toEqual(["paused", "pending", "skipped", "succeeded", "waiting"]);
    const reasons = (await db.delivery.findMany({ where: { status: "skipped" }, select: { reason: true } })).map((d) => d.reason ?? "");
    for (const pattern of [/^test order/, /no Retrack click/, /no FlexOffers click/, /nothing to reverse$/, /no way to reverse/, /no items/, /no transaction for this order yet/]) {
      expect(reasons.some((reason) => pattern.test(reason)), String(pattern)).toBe(true);
    }
  });
});

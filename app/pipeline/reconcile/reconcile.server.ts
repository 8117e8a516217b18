// Reconciliation: Shopify can drop or delay webhooks. Every so often, each installed shop's paid orders of the
// last hours are read through the Admin GraphQL API, and any the webhooks did not bring are recorded exactly as
// orders/paid would have recorded them. Orders already recorded are left alone, so running it often is harmless.
import type { Db } from "../../db/client.server.ts";
import { OrderPayloadError } from "../../orders/from-shopify.ts";
import { adminGraphqlForShop, type AdminGraphql } from "../../shopify/admin-graphql.server.ts";
import { recordOrder } from "../outbox.server.ts";
import { planConversions } from "../plan.ts";
import { cachedShopConfig } from "../settings-cache.server.ts";
import { PAID_ORDERS_QUERY } from "../../shopify/documents/index.ts";
import { orderFromAdminGraphql, type AdminOrderNode } from "./admin-order.ts";

export interface ReconcileResult {
  shop: string;
  seen: number;
  recorded: string[];
  unreadable: Array<{ order: string; reason: string }>;
}

interface OrdersPage {
  orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: AdminOrderNode[] };
}

const MAX_PAGES = 40;

export async function reconcileShop(
  db: Db,
  shop: string,
  options: { lookbackMs: number; now?: Date; graphql?: AdminGraphql },
): Promise<ReconcileResult> {
  const now = options.now ?? new Date();
  const graphql = options.graphql ?? (await adminGraphqlForShop(shop));
  const since = new Date(now.getTime() - options.lookbackMs).toISOString();
  // Shopify's search syntax: paid and partially refunded orders count as paid here.
  const query = `updated_at:>='${since}' AND (financial_status:paid OR financial_status:partially_refunded OR financial_status:partially_paid)`;
  const result: ReconcileResult = { shop, seen: 0, recorded: [], unreadable: [] };
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { data }: { data: OrdersPage } = await graphql<OrdersPage>(PAID_ORDERS_QUERY, { query, after });
    const nodes = data.orders.nodes;
    result.seen += nodes.length;
    const known = new Set(
      (
        await db.order.findMany({
          where: { shop, shopifyOrderId: { in: nodes.map((n) => n.legacyResourceId) }, paidAt: { not: null } },
          select: { shopifyOrderId: true },
        })
      ).map((o) => o.shopifyOrderId),
    );
    const missing = nodes.filter((n) => !known.has(n.legacyResourceId));
    if (missing.length) {
      const config = await cachedShopConfig(db, shop);
      for (const node of missing) {
        let order;
        try {
          order = orderFromAdminGraphql(node);
        } catch (error) {
          if (!(error instanceof OrderPayloadError)) throw error;
          result.unreadable.push({ order: node.name, reason: error.message });
          continue;
        }
        const plan = planConversions(order, config);
        const recorded = await recordOrder(db, { shop, order, paidAt: now, plan: () => plan, now });
        if (!recorded.duplicate) result.recorded.push(order.id);
      }
    }
    if (!data.orders.pageInfo.hasNextPage || !data.orders.pageInfo.endCursor) break;
    after = data.orders.pageInfo.endCursor;
  }
  return result;
}

/** Every installed shop (one with an offline session), one after another; a failing shop does not stop the rest. */
export async function reconcileAllShops(
  db: Db,
  options: { lookbackMs: number; now?: Date; onShop?: (result: ReconcileResult) => void; onError?: (shop: string, error: unknown) => void },
): Promise<void> {
  const shops = await db.session.findMany({ where: { isOnline: false }, distinct: ["shop"], select: { shop: true } });
  for (const { shop } of shops) {
    try {
      const result = await reconcileShop(db, shop, options);
      options.onShop?.(result);
    } catch (error) {
      options.onError?.(shop, error);
    }
  }
}

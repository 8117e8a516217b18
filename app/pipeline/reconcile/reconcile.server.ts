// Reconciliation: Shopify can drop or delay webhooks. Every so often, each installed shop's paid orders of the
// last hours are listed through the Admin GraphQL API (ids only), and each one the webhooks did not bring is read
// in full and recorded exactly as orders/paid would have recorded it. Orders already recorded are left alone, so
// running it often is harmless, and a run cut short (by its cost budget) is taken up by the next one.
// Every query waits for Shopify's cost bucket rather than failing (app/shopify/query-pacing.ts). An order that
// cannot be read or recorded is reported and the run goes on with the others.
import type { Db } from "../../db/client.server.ts";
import { OrderPayloadError } from "../../orders/from-shopify.ts";
import type { NormalizedOrder } from "../../orders/model.ts";
import { adminGraphqlForShop, type AdminGraphql } from "../../shopify/admin-graphql.server.ts";
import { RECONCILE_PAID_ORDER_IDS } from "../../shopify/documents/index.ts";
import { CostBudgetExhausted, pacedAdminGraphql, type PacingOptions } from "../../shopify/query-pacing.ts";
import { recordOrder } from "../outbox.server.ts";
import { planConversions } from "../plan.ts";
import { cachedShopConfig } from "../settings-cache.server.ts";
import { orderFromAdminGraphql, type PageInfo } from "./admin-order.ts";
import { readAdminOrder } from "./read-order.server.ts";

export interface ReconcileProblem {
  /** The order's name when it was read, else its id. */
  order: string;
  reason: string;
}

export interface ReconcileResult {
  shop: string;
  /** Paid orders listed in the window. */
  seen: number;
  /** Shopify order ids recorded by this run. */
  recorded: string[];
  /** Orders that could not be read from Shopify or are not orders this app can read. */
  unreadable: ReconcileProblem[];
  /** Orders read but not stored (the database refused them). */
  unrecorded: ReconcileProblem[];
  /** Admin API cost points spent. */
  spent: number;
  /** Why the run stopped before the end of the window, or null. */
  incomplete: string | null;
}

export interface ReconcileOptions {
  lookbackMs: number;
  now?: Date;
  graphql?: AdminGraphql;
  /** Admin API cost points one shop's run may spend (default 20,000: about 3½ minutes of a standard plan's refill). */
  costBudget?: number;
  sleep?: PacingOptions["sleep"];
  clock?: PacingOptions["clock"];
}

export const DEFAULT_COST_BUDGET = 20_000;

interface OrderIdsPage {
  orders: { pageInfo: PageInfo; nodes: Array<{ id: string; legacyResourceId: string }> };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function reconcileShop(db: Db, shop: string, options: ReconcileOptions): Promise<ReconcileResult> {
  const now = options.now ?? new Date();
  const pacing = pacedAdminGraphql(options.graphql ?? (await adminGraphqlForShop(shop)), {
    budget: options.costBudget ?? DEFAULT_COST_BUDGET,
    sleep: options.sleep,
    clock: options.clock,
  });
  const graphql = pacing.graphql;
  const since = new Date(now.getTime() - options.lookbackMs).toISOString();
  // Shopify's search syntax. Paid and partly refunded orders were paid in full; orders/paid never fires for a
  // partly paid one, so neither does this.
  const query = `updated_at:>='${since}' AND (financial_status:paid OR financial_status:partially_refunded)`;
  const result: ReconcileResult = { shop, seen: 0, recorded: [], unreadable: [], unrecorded: [], spent: 0, incomplete: null };

  try {
    let after: string | null = null;
    do {
      const page: OrderIdsPage = (await graphql<OrderIdsPage>(RECONCILE_PAID_ORDER_IDS, { query, after })).data;
      const listed = page.orders.nodes;
      result.seen += listed.length;
      const known = new Set(
        (
          await db.order.findMany({
            where: { shop, shopifyOrderId: { in: listed.map((n) => n.legacyResourceId) }, paidAt: { not: null } },
            select: { shopifyOrderId: true },
          })
        ).map((o) => o.shopifyOrderId),
      );
      for (const missing of listed.filter((n) => !known.has(n.legacyResourceId))) {
        await reconcileOrder(db, shop, graphql, missing, now, result);
      }
      after = page.orders.pageInfo.hasNextPage ? page.orders.pageInfo.endCursor : null;
    } while (after);
  } catch (error) {
    if (!(error instanceof CostBudgetExhausted)) throw error;
    result.incomplete = error.message;
  } finally {
    result.spent = pacing.spent();
  }
  return result;
}

/** Reads, converts and records one order; whatever goes wrong is reported in `result`, except the budget running out. */
async function reconcileOrder(db: Db, shop: string, graphql: AdminGraphql, listed: { id: string; legacyResourceId: string }, now: Date, result: ReconcileResult) {
  let label = listed.legacyResourceId;
  let order: NormalizedOrder;
  try {
    const node = await readAdminOrder(graphql, listed.id);
    if (!node) {
      result.unreadable.push({ order: label, reason: "Shopify no longer has this order" });
      return;
    }
    label = node.name;
    order = orderFromAdminGraphql(node);
  } catch (error) {
    if (error instanceof CostBudgetExhausted) throw error;
    result.unreadable.push({ order: label, reason: error instanceof OrderPayloadError ? error.message : `reading it failed: ${message(error)}` });
    return;
  }
  try {
    const config = await cachedShopConfig(db, shop);
    const plan = planConversions(order, config);
    const recorded = await recordOrder(db, { shop, order, paidAt: now, plan: () => plan, now });
    if (!recorded.duplicate) result.recorded.push(order.id);
  } catch (error) {
    result.unrecorded.push({ order: label, reason: message(error) });
  }
}

/** Every installed shop (one with an offline session), one after another; a failing shop does not stop the rest. */
export async function reconcileAllShops(
  db: Db,
  options: Omit<ReconcileOptions, "graphql"> & { onShop?: (result: ReconcileResult) => void; onError?: (shop: string, error: unknown) => void },
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

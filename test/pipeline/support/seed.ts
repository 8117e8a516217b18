// Rows for pipeline tests that do not go through a webhook: an order and deliveries in a given state.
import type { Db } from "../../../app/db/client.server.ts";

export async function seedDeliveries(
  db: Db,
  options: { shop: string; orders: number; networks: string[]; dueAt?: Date; firstOrderId?: number },
): Promise<string[]> {
  const ids: string[] = [];
  const start = options.firstOrderId ?? 1000;
  for (let i = 0; i < options.orders; i++) {
    const order = await db.order.create({
      data: { shop: options.shop, shopifyOrderId: String(start + i), name: `#${start + i}`, payload: "{}" },
    });
    for (const network of options.networks) {
      const row = await db.delivery.create({
        data: { shop: options.shop, orderId: order.id, network, kind: "conversion", nextAttemptAt: options.dueAt ?? new Date(0) },
      });
      ids.push(row.id);
    }
  }
  return ids;
}

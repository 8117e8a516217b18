// shop/redact (48 hours after uninstall): every row that belongs to the shop goes.
import type { Db } from "../db/client.server.ts";

export async function redactShop(db: Db, shop: string): Promise<void> {
  await db.$transaction([
    // Attempts and deliveries go with their orders (onDelete: Cascade); connections with the shop.
    db.order.deleteMany({ where: { shop } }),
    db.networkConnection.deleteMany({ where: { shop } }),
    db.shop.deleteMany({ where: { domain: shop } }),
    db.webhookReceipt.deleteMany({ where: { shop } }),
    db.dataRequest.deleteMany({ where: { shop } }),
    db.accuracyDay.deleteMany({ where: { shop } }),
    db.session.deleteMany({ where: { shop } }),
  ]);
}

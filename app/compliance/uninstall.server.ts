// app/uninstalled: the shop's access token is gone, so no session is kept and nothing more is delivered.
// Orders, settings and delivery history stay until shop/redact (sent 48 hours later) so a reinstall resumes.
// What is waiting stops here; what is in flight stops when its lease is renewed before sending or when its
// answer is recorded, and a claim never takes a delivery of an uninstalled shop (app/pipeline/claim.server.ts).
import type { Db } from "../db/client.server.ts";

export const STOPPED_ON_UNINSTALL = "the app was uninstalled from this shop";

export async function handleUninstall(db: Db, shop: string): Promise<{ stoppedDeliveries: number }> {
  const [, , stopped] = await db.$transaction([
    db.session.deleteMany({ where: { shop } }),
    db.shop.updateMany({ where: { domain: shop }, data: { uninstalledAt: new Date() } }),
    db.delivery.updateMany({
      where: { shop, status: { in: ["pending", "waiting", "paused"] } },
      data: { status: "stopped", reason: STOPPED_ON_UNINSTALL, leaseOwner: null, leaseExpiresAt: null },
    }),
  ]);
  return { stoppedDeliveries: stopped.count };
}

// customers/data_request: Shopify asks what the app holds about a customer; the merchant answers the customer.
// The report is recorded (no personal data is sent anywhere by this app) and shown to the merchant.
import type { Db } from "../db/client.server.ts";
import { customerOrdersWhere, type CustomerSelector } from "./customer-payload.ts";

export interface DataRequestReport {
  customerId: string | null;
  email: string | null;
  orders: Array<{ orderId: string; name: string; customerFieldsHeld: string[]; sentTo: string[] }>;
}

export async function recordDataRequest(db: Db, selector: CustomerSelector): Promise<DataRequestReport> {
  const orders = await db.order.findMany({
    where: customerOrdersWhere(selector),
    select: {
      shopifyOrderId: true,
      name: true,
      payload: true,
      deliveries: { where: { status: "succeeded" }, select: { network: true } },
    },
    orderBy: { createdAt: "asc" },
  });
  const report: DataRequestReport = {
    customerId: selector.customerId,
    email: selector.email,
    orders: orders.map((order) => {
      const customer = (JSON.parse(order.payload) as { customer?: Record<string, unknown> | null }).customer ?? {};
      return {
        orderId: order.shopifyOrderId,
        name: order.name,
        customerFieldsHeld: Object.entries(customer)
          .filter(([, value]) => value !== null && value !== "")
          .map(([key]) => key),
        sentTo: [...new Set(order.deliveries.map((d) => d.network))].sort(),
      };
    }),
  };
  await db.dataRequest.create({
    data: {
      shop: selector.shop,
      customerId: selector.customerId,
      email: selector.email,
      ordersRequested: JSON.stringify(selector.orderIds),
      report: JSON.stringify(report),
    },
  });
  return report;
}

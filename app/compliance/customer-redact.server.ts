// customers/redact: the customer's personal data leaves stored orders and every logged request body.
// Order amounts and references stay: the merchant still needs them to reconcile affiliate commissions.
import type { Db } from "../db/client.server.ts";
import { customerOrdersWhere, type CustomerSelector } from "./customer-payload.ts";

const REDACTED = "[redacted]";

/** Removes `customer` objects and any string holding one of the customer's identifiers, at any depth. */
export function scrubValue(value: unknown, needles: string[]): unknown {
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    return needles.some((needle) => lower.includes(needle)) ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, needles));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = key === "customer" && inner !== null ? null : scrubValue(inner, needles);
    }
    return out;
  }
  return value;
}

function needlesFor(customer: unknown, selector: CustomerSelector): string[] {
  const needles = new Set<string>();
  if (selector.email) needles.add(selector.email);
  if (customer && typeof customer === "object") {
    for (const key of ["email", "firstName", "lastName", "ipAddress", "phone"]) {
      const value = (customer as Record<string, unknown>)[key];
      if (typeof value === "string" && value.trim().length >= 3) needles.add(value.trim().toLowerCase());
    }
  }
  return [...needles];
}

export async function redactCustomer(db: Db, selector: CustomerSelector): Promise<{ orders: number; attempts: number }> {
  const orders = await db.order.findMany({
    where: customerOrdersWhere(selector),
    select: { id: true, payload: true },
  });
  let attempts = 0;
  for (const order of orders) {
    const payload = JSON.parse(order.payload) as Record<string, unknown>;
    const needles = needlesFor(payload.customer, selector);
    const logged = await db.deliveryAttempt.findMany({
      where: { delivery: { orderId: order.id } },
      select: { id: true, request: true, responseExcerpt: true },
    });
    await db.$transaction([
      db.order.update({
        where: { id: order.id },
        data: {
          payload: JSON.stringify(scrubValue(payload, needles)),
          customerId: null,
          customerEmail: null,
          redactedAt: new Date(),
        },
      }),
      ...logged.map((attempt) =>
        db.deliveryAttempt.update({
          where: { id: attempt.id },
          data: {
            request: JSON.stringify(scrubValue(JSON.parse(attempt.request), needles)),
            responseExcerpt: attempt.responseExcerpt === null ? null : (scrubValue(attempt.responseExcerpt, needles) as string),
          },
        }),
      ),
    ]);
    attempts += logged.length;
  }
  const requests = [];
  if (selector.customerId) requests.push({ customerId: selector.customerId });
  if (selector.email) requests.push({ email: selector.email });
  if (requests.length) await db.dataRequest.deleteMany({ where: { shop: selector.shop, OR: requests } });
  return { orders: orders.length, attempts };
}

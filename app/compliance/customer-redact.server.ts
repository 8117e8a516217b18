// customers/redact: the customer's personal data leaves stored orders and every logged request body.
// Order amounts and references stay: the merchant still needs them to reconcile affiliate commissions.
import type { Db } from "../db/client.server.ts";
import { customerOrdersWhere, type CustomerSelector } from "./customer-payload.ts";

const REDACTED = "[redacted]";

/**
 * What identifies the customer in free text. Emails, phone numbers and IP addresses are distinctive, so any
 * string containing one goes; names only where a value is the name itself, since a short name ("Abe") can be
 * part of a SKU, a title or a click id that later refunds still need.
 */
export interface Needles {
  contained: string[];
  whole: string[];
}

/** Removes `customer` objects and any string that identifies the customer, at any depth. */
export function scrubValue(value: unknown, needles: Needles): unknown {
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    const hit = needles.contained.some((needle) => lower.includes(needle)) || needles.whole.includes(lower.trim());
    return hit ? REDACTED : value;
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

/** Free text (error messages, response excerpts): the distinctive identifiers only. */
function scrubText(text: string | null, needles: Needles): string | null {
  if (text === null) return null;
  let out = text;
  for (const needle of needles.contained) out = out.replace(new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), REDACTED);
  return out;
}

function needlesFor(customer: unknown, selector: CustomerSelector): Needles {
  const contained = new Set<string>();
  const whole = new Set<string>();
  if (selector.email) contained.add(selector.email);
  if (customer && typeof customer === "object") {
    for (const key of ["email", "ipAddress", "phone"]) {
      const value = (customer as Record<string, unknown>)[key];
      if (typeof value === "string" && value.trim().length >= 3) contained.add(value.trim().toLowerCase());
    }
    for (const key of ["firstName", "lastName"]) {
      const value = (customer as Record<string, unknown>)[key];
      if (typeof value === "string" && value.trim()) whole.add(value.trim().toLowerCase());
    }
  }
  return { contained: [...contained], whole: [...whole] };
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
      select: { id: true, request: true, responseExcerpt: true, error: true },
    });
    const deliveries = await db.delivery.findMany({
      where: { orderId: order.id },
      select: { id: true, reason: true, lastError: true },
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
            responseExcerpt: scrubText(attempt.responseExcerpt, needles),
            error: scrubText(attempt.error, needles),
          },
        }),
      ),
      // Reasons and errors can quote a network's answer, which may echo the customer's email.
      ...deliveries.map((delivery) =>
        db.delivery.update({
          where: { id: delivery.id },
          data: { reason: scrubText(delivery.reason, needles), lastError: scrubText(delivery.lastError, needles) },
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

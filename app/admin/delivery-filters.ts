// The deliveries index's filters and cursor, read from the page's URL (so a filtered view can be linked and
// reloaded). Shared by the loader and the page: no server code here.
import { z } from "zod";

export const DELIVERY_STATUS_FILTERS = ["succeeded", "failed", "pending", "in_flight", "paused", "waiting", "skipped", "stopped"] as const;
export const DELIVERY_KIND_FILTERS = ["conversion", "cancellation", "refund"] as const;
export const PAGE_SIZE = 25;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)));

const filtersSchema = z.object({
  network: z.string().regex(/^[a-z0-9_-]{1,40}$/).optional().catch(undefined),
  status: z.enum(DELIVERY_STATUS_FILTERS).optional().catch(undefined),
  kind: z.enum(DELIVERY_KIND_FILTERS).optional().catch(undefined),
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  order: z.string().trim().max(64).optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
  before: z.string().max(200).optional().catch(undefined),
});

export type DeliveryFilters = z.infer<typeof filtersSchema>;

/** Unknown or malformed parameters are ignored, never an error: a stale link still opens. */
export function parseDeliveryFilters(params: URLSearchParams): DeliveryFilters {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(filtersSchema.shape)) {
    const value = params.get(key);
    if (value !== null && value.trim() !== "") raw[key] = value;
  }
  return filtersSchema.parse(raw);
}

/** The URL query for these filters, without the cursor unless given. */
export function filtersQuery(filters: DeliveryFilters, cursor: { after?: string; before?: string } = {}): string {
  const params = new URLSearchParams();
  for (const key of ["network", "status", "kind", "from", "to", "order"] as const) if (filters[key]) params.set(key, filters[key]!);
  if (cursor.after) params.set("after", cursor.after);
  if (cursor.before) params.set("before", cursor.before);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export interface DeliveryRow {
  id: string;
  orderName: string;
  network: string;
  networkLabel: string;
  kind: string;
  status: string;
  attempts: number;
  httpStatus: number | null;
  /** The skip or failure reason, in the merchant's words. */
  reason: string | null;
  createdAt: string;
}

export interface DeliveryPage {
  rows: DeliveryRow[];
  /** Cursor of the next (older) page, when there is one. */
  older: string | null;
  /** Cursor of the previous (newer) page, when there is one. */
  newer: string | null;
}

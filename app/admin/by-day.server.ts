// Counting rows per UTC day on either database: Prisma's groupBy cannot group by a date's day, so these few
// aggregates are SQL, one text per database (SQLite stores DateTime as ISO text, PostgreSQL as timestamp(3) UTC).
import { kindOf, type Db } from "../db/client.server.ts";

const DAY = 86_400_000;

/** The SQL expression for a timestamp column's UTC day, as YYYY-MM-DD text. */
export function dayOf(db: Db, column: string): string {
  return kindOf(db) === "postgresql" ? `to_char(${column}, 'YYYY-MM-DD')` : `substr(${column}, 1, 10)`;
}

/** A bound value comparable with a DateTime column, as Prisma writes it on each database. */
export function timeParam(db: Db, value: Date): string {
  return kindOf(db) === "postgresql" ? value.toISOString().slice(0, -1) : value.toISOString().replace("Z", "+00:00");
}

/** The SQL cast for timeParam's value. */
export const timeCast = (db: Db) => (kindOf(db) === "postgresql" ? "::timestamp(3)" : "");

/** $1, $2… on PostgreSQL, ? on SQLite. */
export function placeholders(db: Db) {
  let n = 0;
  return () => (kindOf(db) === "postgresql" ? `$${++n}` : "?");
}

/** The UTC days from `since` to `until`, both included, oldest first. */
export function daysBetween(since: Date, until: Date): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()); t <= until.getTime(); t += DAY) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

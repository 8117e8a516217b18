// Row ids for rows the pipeline inserts through the driver (Prisma's cuid() default only applies to its own
// inserts): time-ordered, unique across processes, same alphabet as cuid.
import { randomBytes } from "node:crypto";

let counter = 0;

export function newId(): string {
  counter = (counter + 1) % 1_679_616; // 36^4
  return `c${Date.now().toString(36)}${counter.toString(36).padStart(4, "0")}${randomBytes(8).readBigUInt64BE().toString(36).padStart(13, "0")}`;
}

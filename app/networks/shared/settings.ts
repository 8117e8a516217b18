// Pieces of the networks' settings schemas: messages a merchant can act on, and "required when switched on".
import { z } from "zod";

export const enabledFlag = z.boolean({ error: "enabled must be true or false" });

/** A credential field: may be blank while the network is off. */
export const credential = z
  .string({ error: "must be text" })
  .trim()
  // Keys go into HTTP headers: a stray space or line break from copying would break every request.
  .regex(/^[\x21-\x7E]*$/, { error: "must be the key alone, on one line, without spaces: copy it again from the network's dashboard" })
  .default("");

/** Adds an issue for each listed field that is blank while the network is switched on. */
export function requireWhenEnabled<T extends { enabled: boolean }>(
  label: string,
  fields: Array<{ field: keyof T & string; name: string; where: string }>,
) {
  return (value: T, ctx: z.RefinementCtx) => {
    if (!value.enabled) return;
    for (const { field, name, where } of fields) {
      const current = value[field];
      if (typeof current !== "string" || current.trim() === "") {
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: `${label} is switched on but its ${name} is empty: copy it from ${where}, or switch ${label} off`,
        });
      }
    }
  };
}

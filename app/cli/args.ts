// A small, strict argument reader: unknown flags are errors, so a typo never silently changes behaviour.
import { CliError } from "./command.ts";

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(args: string[], known: { values?: string[]; switches?: string[] }): ParsedArgs {
  const values = new Set(known.values ?? []);
  const switches = new Set(known.switches ?? []);
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (switches.has(name)) {
      flags.set(name, true);
    } else if (values.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value.startsWith("--")) throw new CliError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new CliError(`unknown option --${name}`);
    }
  }
  return { positional, flags };
}

export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === "string" ? value : undefined;
}

export function requiredShop(parsed: ParsedArgs): string {
  const shop = stringFlag(parsed, "shop");
  if (!shop) throw new CliError("--shop <domain> is required (e.g. --shop my-store.myshopify.com)");
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) throw new CliError(`--shop must be a *.myshopify.com domain, got "${shop}"`);
  return shop;
}

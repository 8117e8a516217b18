// `affiliate-relay <command> ...`: each command lives in app/cli/commands/<name>.ts and is listed here once.
import type { CliCommand } from "./command.ts";

const commands: Record<string, () => Promise<{ default: CliCommand }>> = {
  preview: () => import("./commands/preview.ts"),
  settings: () => import("./commands/settings.ts"),
  worker: () => import("./commands/worker.ts"),
  serve: () => import("./commands/serve.ts"),
  demo: () => import("./commands/demo.ts"),
  replay: () => import("./commands/replay.ts"),
  backfill: () => import("./commands/backfill.ts"),
  keys: () => import("./commands/keys.ts"),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name ? commands[name] : undefined;
  if (!load) {
    process.stderr.write(`usage: affiliate-relay <${Object.keys(commands).join("|")}> ...\n`);
    return 2;
  }
  const command = (await load()).default;
  try {
    return await command.run(rest);
  } catch (error) {
    // A one-line error, never a stack trace: these commands are run by merchants and operators.
    process.stderr.write(`affiliate-relay ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

// `affiliate-relay settings import --shop <domain> <file>` and `settings export --shop <domain> [--include-secrets]`.
import { db } from "../../db/client.server.ts";
import { exportSettingsFile } from "../../settings/store.server.ts";
import { saveSettingsAndSyncStorefront } from "../../settings/save-and-sync.server.ts";
import { parseArgs, requiredShop } from "../args.ts";
import { CliError, type CliCommand } from "../command.ts";
import { readJsonFile } from "../json-file.ts";

const USAGE = "usage: affiliate-relay settings import --shop <domain> <file> | settings export --shop <domain> [--include-secrets]";

const command: CliCommand = {
  async run(args) {
    const [action, ...rest] = args;
    if (action === "import") {
      const parsed = parseArgs(rest, { values: ["shop"] });
      const shop = requiredShop(parsed);
      const [file, extra] = parsed.positional;
      if (!file || extra) throw new CliError(USAGE);
      const result = await saveSettingsAndSyncStorefront(db(), shop, await readJsonFile(file, "settings file"));
      const enabled = result.config.networks.filter((n) => n.enabled).map((n) => n.definition.id);
      process.stderr.write(`settings saved for ${shop}; networks enabled: ${enabled.join(", ") || "none"}\n`);
      process.stderr.write(`storefront: ${result.storefront.message}\n`);
      return result.storefront.ok ? 0 : 1;
    }
    if (action === "export") {
      const parsed = parseArgs(rest, { values: ["shop"], switches: ["include-secrets"] });
      if (parsed.positional.length) throw new CliError(USAGE);
      const file = await exportSettingsFile(db(), requiredShop(parsed), { includeSecrets: parsed.flags.has("include-secrets") });
      process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
      return 0;
    }
    throw new CliError(USAGE);
  },
};
export default command;

// `affiliate-relay backfill --shop <domain> --network <id> --days N`: sends a network switched on later the shop's
// recorded orders of the last N days (the worker delivers them).
import { db } from "../../db/client.server.ts";
import { BackfillError, backfillNetwork, MAX_BACKFILL_DAYS } from "../../pipeline/backfill.server.ts";
import { closeDriver } from "../../pipeline/sql/driver.server.ts";
import { parseArgs, requiredShop, stringFlag } from "../args.ts";
import { CliError, type CliCommand } from "../command.ts";
import { knownNetwork, networkChoice } from "../networks.ts";

const USAGE = `usage: affiliate-relay backfill --shop <domain> --network ${networkChoice()} --days <1-${MAX_BACKFILL_DAYS}>`;

const command: CliCommand = {
  async run(args) {
    const parsed = parseArgs(args, { values: ["shop", "network", "days"] });
    const shop = requiredShop(parsed);
    const network = stringFlag(parsed, "network");
    const daysText = stringFlag(parsed, "days");
    if (parsed.positional.length || !network || !daysText) throw new CliError(USAGE);
    knownNetwork(network);
    const days = Number(daysText);
    const client = db();
    try {
      const result = await backfillNetwork(client, { shop, network, days });
      process.stdout.write(
        `backfill ${network} for ${shop}, last ${days} days: ${result.orders} orders, ${result.queued} queued, ` +
          `${result.skipped} skipped (with their reasons), ${result.alreadyThere} already had a delivery\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof BackfillError) throw new CliError(error.message);
      throw error;
    } finally {
      await closeDriver(client);
      await client.$disconnect();
    }
  },
};
export default command;

// `affiliate-relay replay --shop <domain> --delivery <id>` queues one failed delivery again;
// `affiliate-relay replay --shop <domain> --network <id>` queues every failed delivery of that network.
import { db } from "../../db/client.server.ts";
import { replayDelivery, replayFailed } from "../../pipeline/replay.server.ts";
import { closeDriver } from "../../pipeline/sql/driver.server.ts";
import { parseArgs, requiredShop, stringFlag } from "../args.ts";
import { CliError, type CliCommand } from "../command.ts";
import { knownNetwork, networkChoice } from "../networks.ts";

const USAGE = `usage: affiliate-relay replay --shop <domain> (--delivery <id> | --network ${networkChoice()})`;

const command: CliCommand = {
  async run(args) {
    const parsed = parseArgs(args, { values: ["shop", "delivery", "network"] });
    const shop = requiredShop(parsed);
    const delivery = stringFlag(parsed, "delivery");
    const network = stringFlag(parsed, "network");
    if (parsed.positional.length || (delivery === undefined) === (network === undefined)) throw new CliError(USAGE);
    if (network !== undefined) knownNetwork(network);
    const client = db();
    try {
      if (delivery !== undefined) {
        const result = await replayDelivery(client, shop, delivery);
        if (!result.replayed) throw new CliError(result.reason);
        process.stdout.write(`queued delivery ${delivery} again\n`);
      } else {
        const count = await replayFailed(client, shop, network!);
        process.stdout.write(`queued ${count} failed ${network} ${count === 1 ? "delivery" : "deliveries"} of ${shop} again\n`);
      }
      return 0;
    } finally {
      await closeDriver(client);
      await client.$disconnect();
    }
  },
};
export default command;

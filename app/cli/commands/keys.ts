// `affiliate-relay keys check`: whether ENCRYPTION_KEY lists every key stored credentials were sealed with.
// `affiliate-relay keys rotate`: re-seals every stored credential with ENCRYPTION_KEY's first key, so that the
// keys after it can be removed (README "Environment": the rotation recipe).
import { db } from "../../db/client.server.ts";
import { keyringFromEnv } from "../../security/encryption.server.ts";
import { assertStoredKeysListed, rotateCredentials, storedKeyIds } from "../../security/rotate-credentials.server.ts";
import { CliError, type CliCommand } from "../command.ts";

const USAGE = "usage: affiliate-relay keys (check|rotate)";

const command: CliCommand = {
  async run(args) {
    const [action, ...rest] = args;
    if (rest.length || (action !== "check" && action !== "rotate")) throw new CliError(USAGE);
    const keyring = keyringFromEnv();
    const client = db();
    try {
      if (action === "check") {
        await assertStoredKeysListed(client, keyring);
        const ids = [...(await storedKeyIds(client)).entries()].map(([id, count]) => `${id} (${count})`);
        process.stdout.write(`every stored credential's key is listed in ENCRYPTION_KEY; in use: ${ids.join(", ") || "none"}; first key ${keyring.currentId}\n`);
        return 0;
      }
      const { rotated, current } = await rotateCredentials(client, keyring);
      process.stdout.write(
        `re-encrypted ${rotated} credential${rotated === 1 ? "" : "s"} with key ${keyring.currentId} (${current} already used it): ` +
          "every stored credential now uses the first key in ENCRYPTION_KEY, so the others can be removed from it\n",
      );
      return 0;
    } finally {
      await client.$disconnect();
    }
  },
};
export default command;

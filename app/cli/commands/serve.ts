// `affiliate-relay serve` (npm start): the app and the delivery worker in one process, on PORT (default 3000).
// SIGTERM / SIGINT: stop accepting requests, let those in flight finish, stop the worker, disconnect, exit 0.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb } from "../../db/client.server.ts";
import { keyringFromEnv } from "../../security/encryption.server.ts";
import { checkStoredKeysAtStartup } from "../../security/rotate-credentials.server.ts";
import { log } from "../../observability/log.server.ts";
import { BuildMissingError, startAppServer } from "../../server/http.server.ts";
import { CliError, type CliCommand } from "../command.ts";

/**
 * Before anything listens: every stored credential's key is in ENCRYPTION_KEY, or every webhook's delivery to those
 * shops would fail on decryption. A client of its own: the server's runs inside the build.
 */
async function checkStoredKeys(): Promise<void> {
  const keyring = keyringFromEnv();
  const url = process.env.DATABASE_URL;
  if (!url) throw new CliError("DATABASE_URL is not set (file:./path.sqlite or postgresql://...)");
  const client = createDb(url);
  try {
    const unchecked = await checkStoredKeysAtStartup(client, keyring);
    if (unchecked) log().child({ component: "serve" }).warn(unchecked);
  } finally {
    await client.$disconnect();
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === "") return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`PORT must be a port number (0-65535), got "${value}"`);
  return port;
}

/** Resolves with the first SIGTERM or SIGINT; a second one exits at once (an operator who means it). */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.once("SIGTERM", () => process.exit(1));
      process.once("SIGINT", () => process.exit(1));
      resolve(signal);
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
}

const command: CliCommand = {
  async run(args) {
    if (args.length > 0) throw new CliError("usage: affiliate-relay serve (configured by PORT and the environment; see README.md)");
    const port = portFromEnv(process.env.PORT);
    const started = performance.now();
    await checkStoredKeys();
    const stopSignal = nextStopSignal();
    let server;
    try {
      server = await startAppServer({
        buildDir: path.join(root, "build"),
        publicDir: path.join(root, "public"),
        port,
      });
    } catch (error) {
      if (error instanceof BuildMissingError) throw new CliError(error.message);
      throw error;
    }
    const logger = log().child({ component: "serve" });
    const readyMs = Math.round(performance.now() - started);
    logger.info(
      { port: server.port, readyMs, worker: true, metricsPort: server.metricsPort, metricsOnAppPort: Boolean(process.env.METRICS_TOKEN) },
      `listening on http://localhost:${server.port} (ready in ${readyMs} ms), delivery worker running`,
    );
    const signal = await stopSignal;
    logger.info({ signal }, `${signal}: finishing requests in flight, stopping the worker`);
    await server.close();
    logger.info("stopped");
    return 0;
  },
};
export default command;

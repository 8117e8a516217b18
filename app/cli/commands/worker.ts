// `affiliate-relay worker`: delivery workers alone, for scale-out on PostgreSQL (the serve command runs one in its
// own process already). SIGTERM / SIGINT: stop claiming, finish the attempts in flight, hand back the rest, exit 0.
import { db } from "../../db/client.server.ts";
import { closeDriver } from "../../pipeline/sql/driver.server.ts";
import { startWorker } from "../../pipeline/worker.server.ts";
import { keyringFromEnv } from "../../security/encryption.server.ts";
import { assertStoredKeysListed } from "../../security/rotate-credentials.server.ts";
import { parseArgs, stringFlag, type ParsedArgs } from "../args.ts";
import { CliError, type CliCommand } from "../command.ts";

const USAGE =
  "usage: affiliate-relay worker [--concurrency N] [--per-target N] [--poll-ms N] [--lease-ms N] [--request-timeout-ms N] " +
  "[--retry-base-ms N] [--retry-cap-ms N] [--reconcile-minutes N (0: off)] [--id NAME]";

function positiveInt(parsed: ParsedArgs, name: string, allowZero = false): number | undefined {
  const text = stringFlag(parsed, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new CliError(`--${name} must be a whole number${allowZero ? "" : " above 0"}, got "${text}"`);
  return value;
}

const command: CliCommand = {
  async run(args) {
    const parsed = parseArgs(args, {
      values: ["concurrency", "per-target", "poll-ms", "lease-ms", "request-timeout-ms", "retry-base-ms", "retry-cap-ms", "reconcile-minutes", "id"],
    });
    if (parsed.positional.length) throw new CliError(USAGE);
    const reconcileMinutes = positiveInt(parsed, "reconcile-minutes", true);
    const retryBase = positiveInt(parsed, "retry-base-ms");
    const retryCap = positiveInt(parsed, "retry-cap-ms");
    // Listening before anything starts: a SIGTERM that arrives before a listener exists kills the process outright.
    const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    const client = db();
    // A key ENCRYPTION_KEY no longer lists would fail every delivery of those shops: refuse to start instead.
    try {
      await assertStoredKeysListed(client, keyringFromEnv());
    } catch (error) {
      await client.$disconnect();
      throw error;
    }
    const worker = startWorker({
      db: client,
      workerId: stringFlag(parsed, "id"),
      concurrency: positiveInt(parsed, "concurrency"),
      perTargetConcurrency: positiveInt(parsed, "per-target"),
      pollIntervalMs: positiveInt(parsed, "poll-ms"),
      leaseMs: positiveInt(parsed, "lease-ms"),
      requestTimeoutMs: positiveInt(parsed, "request-timeout-ms"),
      retry: { ...(retryBase ? { baseMs: retryBase } : {}), ...(retryCap ? { capMs: retryCap } : {}) },
      ...(reconcileMinutes === 0 ? { reconcile: false } : reconcileMinutes ? { reconcile: { everyMs: reconcileMinutes * 60_000, lookbackMs: 6 * 3_600_000 } } : {}),
    });
    const signal = await stopSignal;
    // A second signal means now.
    process.once("SIGTERM", () => process.exit(1));
    process.once("SIGINT", () => process.exit(1));
    process.stdout.write(`[worker] ${signal}: finishing deliveries in flight\n`);
    await worker.stop();
    await closeDriver(client);
    await client.$disconnect();
    return 0;
  },
};
export default command;

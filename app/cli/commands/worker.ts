// `affiliate-relay worker`: delivery workers alone, for scale-out on PostgreSQL (the serve command runs one in its
// own process already). SIGTERM / SIGINT: stop claiming, finish the attempts in flight, hand back the rest, exit 0.
// METRICS_PORT set: /metrics, /healthz and /readyz on that port (app/observability/probes.server.ts).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { db } from "../../db/client.server.ts";
import { log } from "../../observability/log.server.ts";
import { renderMetrics, watchOutbox } from "../../observability/metrics.server.ts";
import { metricsListenFromEnv, metricsTokenFromEnv, startProbeListener } from "../../observability/probes.server.ts";
import { checkReadiness } from "../../observability/readiness.server.ts";
import { closeDriver } from "../../pipeline/sql/driver.server.ts";
import { startWorker } from "../../pipeline/worker.server.ts";
import { keyringFromEnv } from "../../security/encryption.server.ts";
import { checkStoredKeysAtStartup } from "../../security/rotate-credentials.server.ts";
import { parseArgs, stringFlag, type ParsedArgs } from "../args.ts";
import { CliError, type CliCommand } from "../command.ts";

const prismaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../prisma");

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
      const unchecked = await checkStoredKeysAtStartup(client, keyringFromEnv());
      if (unchecked) log().child({ component: "worker-command" }).warn(unchecked);
    } catch (error) {
      await client.$disconnect();
      throw error;
    }
    const metricsListen = metricsListenFromEnv();
    const metricsToken = metricsTokenFromEnv();
    const logger = log().child({ component: "worker-command" });
    watchOutbox(client);
    const probes = metricsListen
      ? await startProbeListener(
          { metrics: renderMetrics, readiness: () => checkReadiness(client, { prismaDir }) },
          { ...metricsListen, token: metricsToken },
        )
      : undefined;
    if (probes) logger.info({ metricsPort: probes.port, host: metricsListen!.host, token: Boolean(metricsToken) }, `metrics on http://${metricsListen!.host}:${probes.port}/metrics`);
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
    logger.info({ signal, worker: worker.id }, `${signal}: finishing deliveries in flight`);
    await worker.stop();
    await probes?.close();
    watchOutbox(undefined);
    await closeDriver(client);
    await client.$disconnect();
    return 0;
  },
};
export default command;

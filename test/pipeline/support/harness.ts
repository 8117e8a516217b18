// A relay for pipeline tests: a fresh database of the given kind set as the app's db(), a loopback simulator for
// every registered network with the relay's endpoints pointed at them, a shop whose settings use the simulators'
// keys, and webhooks posted through the real route actions with Shopify's signature.
import { setDb, type Db, type DbKind } from "../../../app/db/client.server.ts";
import { closeDriver } from "../../../app/pipeline/sql/driver.server.ts";
import { startWorker, type Worker, type WorkerLogger, type WorkerOptions } from "../../../app/pipeline/worker.server.ts";
import { saveSettingsFile } from "../../../app/settings/store.server.ts";
import { createTestDb } from "../../support/databases.ts";
import { postWebhook, type WebhookTopic } from "../../../devkit/route-server.ts";
import { startNetworkSimulators, type NetworkSimulators, type SimulatorOptions } from "../../../devkit/simulators/network-simulators.ts";

export const SHOP = "pipeline-worker.myshopify.com";

/** Every simulated network on, with the settings its simulator accepts, changed where `overrides` says. */
export function simulatorSettings(sims: NetworkSimulators, overrides?: Parameters<NetworkSimulators["settingsFile"]>[0]) {
  return sims.settingsFile(overrides);
}

export const quietLogger: WorkerLogger = { info() {}, warn() {}, error: (message, fields) => console.error(message, fields) };

export interface Relay {
  db: Db;
  url: string;
  sims: NetworkSimulators;
  post(topic: WebhookTopic, body: unknown, eventId?: string): Promise<number>;
  worker(options?: Partial<WorkerOptions>): Worker;
  close(): Promise<void>;
}

export async function startRelay(kind: DbKind, options: { simulators?: SimulatorOptions; settings?: (sims: NetworkSimulators) => unknown } = {}): Promise<Relay> {
  const { db, url } = await createTestDb(kind);
  setDb(db);
  const sims = await startNetworkSimulators(options.simulators);
  Object.assign(process.env, sims.env);
  await saveSettingsFile(db, SHOP, options.settings ? options.settings(sims) : simulatorSettings(sims));
  const workers: Worker[] = [];
  let n = 0;
  return {
    db,
    url,
    sims,
    async post(topic, body, eventId) {
      return (await postWebhook({ topic, shop: SHOP, body, eventId: eventId ?? `evt-${topic}-${++n}-${Date.now()}` })).status;
    },
    worker(overrides = {}) {
      const worker = startWorker({ db, pollIntervalMs: 10, logger: quietLogger, requestTimeoutMs: 2_000, ...overrides });
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await sims.close();
      setDb(undefined);
      await closeDriver(db);
      await db.$disconnect();
    },
  };
}

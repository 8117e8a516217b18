// A simulator for every registered network in a process of its own (so their work does not share the measured
// process's event loop): prints {"env": ..., "settings": ..., "networks": [...]} once listening; a line "stats" on
// stdin prints accepted and received counts per network; exits on SIGTERM or when stdin closes.
import { createInterface } from "node:readline";
import { startNetworkSimulators } from "../../devkit/simulators/network-simulators.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as { latencyMs?: number; rateLimits?: boolean };
const sims = await startNetworkSimulators({ latencyMs: options.latencyMs, rateLimits: options.rateLimits });
process.stdout.write(`${JSON.stringify({ env: sims.env, settings: sims.settingsFile(), networks: sims.networks })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() !== "stats") return;
  const stats = Object.fromEntries(sims.networks.map((n) => [n, { accepted: sims.accepted(n).length, received: sims.received(n).length }]));
  process.stdout.write(`${JSON.stringify(stats)}\n`);
});
const stop = async () => {
  await sims.close();
  process.exit(0);
};
lines.on("close", stop);
process.once("SIGTERM", stop);

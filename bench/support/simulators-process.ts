// A simulator for every registered network in a process of its own (so their work does not share the measured
// process's event loop): prints {"env": ..., "settings": ..., "networks": [...]} once listening; a line "stats" on
// stdin prints, per network, the requests accepted and received, the distinct orders the accepted ones reported
// and how many of those were reported more than once (an order delivered twice); exits on SIGTERM or when stdin
// closes.
import { createInterface } from "node:readline";
import { startNetworkSimulators } from "../../devkit/simulators/network-simulators.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as { latencyMs?: number; rateLimits?: boolean; keepAlive?: boolean };
const sims = await startNetworkSimulators({ latencyMs: options.latencyMs, rateLimits: options.rateLimits, keepAlive: options.keepAlive });
process.stdout.write(`${JSON.stringify({ env: sims.env, settings: sims.settingsFile(), networks: sims.networks })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() !== "stats") return;
  const stats = Object.fromEntries(
    sims.networks.map((n) => {
      const accepted = sims.accepted(n);
      const seen = new Map<string, number>();
      for (const request of accepted) for (const ref of sims.orderReferences(request)) seen.set(ref, (seen.get(ref) ?? 0) + 1);
      const doubles = [...seen.values()].filter((count) => count > 1).length;
      return [n, { accepted: accepted.length, received: sims.received(n).length, orders: seen.size, doubles }];
    }),
  );
  process.stdout.write(`${JSON.stringify(stats)}\n`);
});
const stop = async () => {
  await sims.close();
  process.exit(0);
};
lines.on("close", stop);
process.once("SIGTERM", stop);

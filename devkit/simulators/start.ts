// Runs a simulator for every registered network on its own: `npx tsx devkit/simulators/start.ts`. Prints the
// environment the relay needs to talk to them and the settings file they accept, then serves until interrupted.
import { startNetworkSimulators } from "./network-simulators.ts";

const simulators = await startNetworkSimulators();
for (const [name, value] of Object.entries(simulators.env)) console.log(`export ${name}=${value}`);
console.log(`# settings file: ${JSON.stringify(simulators.settingsFile())}`);
const stop = async () => {
  await simulators.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

// Runs the three network simulators on their own: `npx tsx devkit/simulators/start.ts`. Prints the environment the
// relay needs to talk to them, then serves until interrupted.
import { startNetworkSimulators } from "./network-simulators.ts";

const simulators = await startNetworkSimulators();
for (const [name, value] of Object.entries(simulators.env)) console.log(`export ${name}=${value}`);
console.log(`# credentials: ${JSON.stringify(simulators.credentials)}`);
const stop = async () => {
  await simulators.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

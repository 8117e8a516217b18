// Finds each registered network's stand-in by convention: app/networks/<id>/simulator.ts, exporting `simulator`
// (a SimulatorDefinition, types.ts). The network's folder owns it, and the registry stays the one list.
//
// Why a convention and not a `simulator: () => import("./simulator.ts")` entry in each NetworkDefinition: the
// definitions are bundled into the production server (the Remix build starts from the routes, which reach the
// registry), and a bundler emits every dynamic import it can see as a chunk of its own, so simulator code and the
// devkit helpers it uses would ship in build/. Here the import is made by devkit, which nothing production runs
// imports (test/devkit/boundaries.test.ts holds both ends of that).
import { networks, type AnyNetworkDefinition, type NetworkId } from "../../app/networks/registry.ts";
import type { SimulatorDefinition } from "./types.ts";

export interface LoadedSimulator {
  network: AnyNetworkDefinition;
  definition: SimulatorDefinition;
}

export const simulatorFile = (id: string) => `app/networks/${id}/simulator.ts`;

export async function loadSimulator(id: string): Promise<LoadedSimulator> {
  const network = networks.find((candidate) => candidate.id === id);
  if (!network) throw new Error(`no registered network "${id}"`);
  const module = (await import(`../../app/networks/${id}/simulator.ts`)) as { simulator?: Partial<SimulatorDefinition> };
  const definition = module.simulator;
  if (typeof definition?.create !== "function" || typeof definition.summarize !== "function" || typeof definition.orderReferences !== "function" || !Array.isArray(definition.requiredFields)) {
    throw new Error(`${simulatorFile(id)} must export \`simulator\` with create(), requiredFields, summarize() and orderReferences() (devkit/simulators/types.ts)`);
  }
  return { network, definition: definition as SimulatorDefinition };
}

/** The stand-ins of `ids` (every registered network by default), in registry order. */
export async function loadSimulators(ids: readonly NetworkId[] = networks.map((network) => network.id as NetworkId)): Promise<LoadedSimulator[]> {
  const ordered = networks.map((network) => network.id).filter((id) => ids.includes(id as NetworkId));
  const unknown = ids.filter((id) => !ordered.includes(id));
  if (unknown.length) throw new Error(`no registered network ${unknown.map((id) => `"${id}"`).join(", ")}`);
  return Promise.all(ordered.map(loadSimulator));
}

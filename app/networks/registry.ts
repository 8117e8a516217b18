// Every affiliate network the app reports to: one folder each under app/networks, one line here.
import { flexoffers } from "./flexoffers/index.ts";
import { refersion } from "./refersion/index.ts";
import { retrack } from "./retrack/index.ts";
import type { NetworkDefinition } from "./types.ts";

/** A network whose settings type is erased: callers validate settings with its own settingsSchema first. */
export type AnyNetworkDefinition = NetworkDefinition<{ enabled: boolean } & Record<string, unknown>>;

const listed = <Settings extends { enabled: boolean }>(network: NetworkDefinition<Settings>) =>
  network as unknown as AnyNetworkDefinition;

export const networks: readonly AnyNetworkDefinition[] = [
  listed(refersion),
  listed(retrack),
  listed(flexoffers),
];

export function networkById(id: string): AnyNetworkDefinition | undefined {
  return networks.find((network) => network.id === id);
}

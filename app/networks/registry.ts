// Every affiliate network the app reports to: one folder each under app/networks, one entry in `registered`.
// Everything else that knows about networks (the settings file, the storefront, the command line, the README's
// table) is derived from this list.
import type { z } from "zod";
import { awin } from "./awin/index.ts";
import { flexoffers } from "./flexoffers/index.ts";
import { refersion } from "./refersion/index.ts";
import { retrack } from "./retrack/index.ts";
import type { NetworkDefinition } from "./types.ts";

/** In the order the admin, the settings file, the storefront and the command line list them. */
const registered = [refersion, retrack, flexoffers, awin] as const;

export type RegisteredNetwork = (typeof registered)[number];
export type NetworkId = RegisteredNetwork["id"];
/** Each registered network's settings block (as its settingsSchema outputs it), by network id. */
export type SettingsByNetwork = { [Network in RegisteredNetwork as Network["id"]]: z.output<Network["settingsSchema"]> };

/** A network whose settings type is erased: callers validate settings with its own settingsSchema first. */
export type AnyNetworkDefinition = NetworkDefinition<{ enabled: boolean } & Record<string, unknown>>;

export const networks: readonly AnyNetworkDefinition[] = registered.map((network) => network as unknown as AnyNetworkDefinition);

export function networkById(id: string): AnyNetworkDefinition | undefined {
  return networks.find((network) => network.id === id);
}

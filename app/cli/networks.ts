// The `--network <id>` choice of the commands, from the registry: usage text and errors list what is registered.
import { networkById, networks, type AnyNetworkDefinition } from "../networks/registry.ts";
import { CliError } from "./command.ts";

/** "<id|id|…>", every registered network's id, for usage lines. */
export function networkChoice(): string {
  return `<${networks.map((network) => network.id).join("|")}>`;
}

export function knownNetwork(id: string): AnyNetworkDefinition {
  const network = networkById(id);
  if (!network) throw new CliError(`unknown network "${id}": use one of ${networks.map((n) => n.id).join(", ")}`);
  return network;
}

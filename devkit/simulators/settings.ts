// The settings a simulated network accepts, derived from the network's own declaration so that a new network needs
// no entry here: its placeholder settings (what `preview` uses), switched on, with every secret field given a value
// that names the network and the field, so a leak of it is easy to search for in logs and answers.
import { secretFieldKeys } from "../../app/networks/fields.ts";
import { networks, type AnyNetworkDefinition, type NetworkId, type SettingsByNetwork } from "../../app/networks/registry.ts";

type SettingsBlock = { enabled: boolean } & Record<string, unknown>;

export function simulatedSecret(network: { id: string }, key: string): string {
  return `simulated-${network.id}-${key}`;
}

export function simulatedSettings(network: AnyNetworkDefinition): SettingsBlock {
  if (!network.placeholderSettings) throw new Error(`${network.id} declares no placeholderSettings: its simulator has no settings to accept`);
  const settings: SettingsBlock = { ...network.placeholderSettings, enabled: true };
  for (const key of secretFieldKeys(network)) settings[key] = simulatedSecret(network, key);
  return network.settingsSchema.parse(settings);
}

/** Every registered network's simulated settings block, by id. */
export function simulatedSettingsByNetwork(): SettingsByNetwork {
  return Object.fromEntries(networks.map((network) => [network.id, simulatedSettings(network)])) as SettingsByNetwork;
}

/** Every secret value of those settings: what must never appear in a log, an answer or a preview. */
export function simulatedSecrets(ids: readonly NetworkId[] = networks.map((network) => network.id as NetworkId)): string[] {
  return networks.filter((network) => ids.includes(network.id as NetworkId)).flatMap((network) => secretFieldKeys(network).map((key) => simulatedSecret(network, key)));
}

/** A settings file switching on each of `ids` (every registered network by default) with its simulated settings. */
export function simulatedSettingsFile(ids: readonly NetworkId[] = networks.map((network) => network.id as NetworkId), overrides: Partial<Record<NetworkId, Partial<SettingsBlock>>> = {}) {
  const byNetwork = simulatedSettingsByNetwork() as Record<NetworkId, SettingsBlock>;
  return {
    currency: "shop",
    sendTestOrders: false,
    networks: Object.fromEntries(ids.map((id) => [id, { ...byNetwork[id], ...overrides[id] }])),
  };
}

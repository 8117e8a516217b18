// The settings file the setup card shows, built from the registry: every registered network with each of its
// fields, a required one as "<its label>", an optional one as its placeholder value (empty, or a number's default).
import { networks } from "../../networks/registry.ts";

export function settingsFileExample(): string {
  const blocks = networks.map((network) => {
    const placeholder = (network.placeholderSettings ?? {}) as Record<string, unknown>;
    const fields = network.fields.map((field) => [field.key, field.required ? `<${field.label}>` : (placeholder[field.key] ?? "")]);
    return [network.id, { enabled: true, ...Object.fromEntries(fields) }];
  });
  return JSON.stringify({ currency: "shop", sendTestOrders: false, networks: Object.fromEntries(blocks) }, null, 2);
}

// What the settings fields of a network (NetworkDefinition.fields) say about its settings block, derived once so
// that no list of secrets is ever kept twice.
import type { SettingsField } from "./types.ts";

/** The keys of the network's secret fields: encrypted at rest, blank in exports, never logged or shown. */
export function secretFieldKeys<Key extends string>(network: { fields: readonly SettingsField<Key>[] }): Key[] {
  return network.fields.filter((field) => field.secret).map((field) => field.key);
}

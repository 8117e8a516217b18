// The setup card's settings file example is derived from the registry: every network, every field, nothing else.
import { describe, expect, it } from "vitest";
import { networks } from "../../app/networks/registry.ts";
import { settingsFileExample } from "../../app/routes/app._index/settings-example.server.ts";
import { settingsFileSchema } from "../../app/settings/file-schema.ts";

describe("the setup card's settings file example", () => {
  const example = JSON.parse(settingsFileExample()) as { networks: Record<string, Record<string, unknown>> };

  it("lists every registered network with exactly its fields, required ones as <label>", () => {
    expect(Object.keys(example.networks)).toEqual(networks.map((network) => network.id));
    for (const network of networks) {
      const block = example.networks[network.id]!;
      expect(Object.keys(block)).toEqual(["enabled", ...network.fields.map((field) => field.key)]);
      for (const field of network.fields.filter((f) => f.required)) expect(block[field.key]).toBe(`<${field.label}>`);
    }
  });

  it("is a settings file once the <…> parts are filled in with the placeholder values", () => {
    const filled = {
      ...example,
      networks: Object.fromEntries(
        networks.map((network) => [network.id, { ...example.networks[network.id], ...(network.placeholderSettings as Record<string, unknown>), enabled: true }]),
      ),
    };
    expect(settingsFileSchema.safeParse(filled).error?.issues ?? []).toEqual([]);
  });
});

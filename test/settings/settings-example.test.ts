// test/fixtures/orders/settings-example.json is the settings file README's quickstart imports and previews: it
// must show every registered network with every one of its settings (app/networks/registry.ts), so that a network
// added to the registry cannot be forgotten there, and it must load as it is.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { networks } from "../../app/networks/registry.ts";
import { settingsFileSchema } from "../../app/settings/file-schema.ts";

const example = JSON.parse(readFileSync(new URL("../fixtures/orders/settings-example.json", import.meta.url), "utf8")) as {
  networks: Record<string, Record<string, unknown>>;
} & Record<string, unknown>;

describe("the settings file example", () => {
  it("has a block for every registered network, in the registry's order, and no other", () => {
    expect(Object.keys(example.networks)).toEqual(networks.map((network) => network.id));
  });

  it.each(networks.map((network) => [network.id, network] as const))("shows every setting of %s", (id, network) => {
    expect(Object.keys(example.networks[id] ?? {})).toEqual(["enabled", ...network.fields.map((field) => field.key)]);
  });

  it("names every top-level setting and loads unchanged: nothing is filled in by defaults", () => {
    const parsed = settingsFileSchema.parse(example);
    expect(Object.keys(example).sort()).toEqual(Object.keys(parsed).sort());
    expect(parsed).toEqual(example);
  });
});

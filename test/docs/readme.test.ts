// README.md's network tables are generated from the registry (scripts/readme-networks.ts): they list exactly the
// registered networks, with their settings, captures, cart attributes and endpoints.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { networks } from "../../app/networks/registry.ts";
import { readmeFile, withGeneratedSections } from "../../scripts/readme-networks.ts";

const readme = readFileSync(readmeFile, "utf8");

describe("README.md", () => {
  it("has the network tables scripts/readme-networks.ts generates (run npm run readme:networks)", () => {
    expect(readme).toBe(withGeneratedSections(readme));
  });

  it("lists exactly the registered networks, each with its settings key, cart attribute and endpoints", () => {
    const table = readme.slice(readme.indexOf("<!-- generated: networks"), readme.indexOf("<!-- end generated: networks"));
    const rows = table.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| network") && !line.startsWith("| ---"));
    expect(rows.map((row) => row.split(" | ")[0]!.slice(2))).toEqual(networks.map((network) => network.label));
    for (const network of networks) {
      const row = rows.find((r) => r.startsWith(`| ${network.label} |`))!;
      expect(row).toContain(`\`${network.id}\``);
      for (const field of network.fields) expect(row).toContain(`\`${field.key}\``);
      if (network.storefront) expect(row).toContain(`\`${network.storefront.cartAttribute}\``);
      for (const endpoint of network.endpoints) expect(readme).toContain(`| \`${endpoint.env}\` |`);
    }
  });
});

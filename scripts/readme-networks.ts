// README.md's network tables, generated from the registry (app/networks/registry.ts), so that a new network
// appears in the documentation by its folder and its registry line alone. test/docs/readme.test.ts fails when the
// committed README differs from what this writes.
//   npm run readme:networks            rewrite the generated parts of README.md
//   npm run readme:networks -- --check exit 1 when they are stale
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { networks, type AnyNetworkDefinition } from "../app/networks/registry.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const readmeFile = path.join(root, "README.md");

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

function settingsCell(network: AnyNetworkDefinition): string {
  return ["`enabled`", ...network.fields.map((field) => `${code(field.key)}${field.secret ? " (secret)" : ""}`)].join(", ");
}

function clickCell(network: AnyNetworkDefinition): string {
  const capture = network.storefront;
  if (!capture) return network.ownTracker ? `${network.label}'s own tracker (${code(network.ownTracker.script)})` : "none";
  const days = "fixed" in capture.days ? `${capture.days.fixed} days` : `${code(capture.days.setting)} days (default ${capture.days.default})`;
  const redirect = capture.redirectParam ? `, then on to ${code(capture.redirectParam)} (same host only)` : "";
  return `${code(`?${capture.param}=`)}${redirect}; cookie ${code(capture.cookie)}, ${days}`;
}

function attributeCell(network: AnyNetworkDefinition): string {
  const attribute = network.storefront?.cartAttribute ?? network.ownTracker?.cartAttribute;
  return attribute ? code(attribute) : "none";
}

function reversalCell(network: AnyNetworkDefinition): string {
  return network.reversal.supported ? "yes" : `no: ${network.reversal.reason}`;
}

export function networksTable(): string {
  const rows = networks.map((network) =>
    [network.label, code(network.id), settingsCell(network), clickCell(network), attributeCell(network), reversalCell(network)]
      .map(cell)
      .join(" | "),
  );
  return [
    "| network | settings file key | settings | click on the storefront | cart attribute | cancellations and refunds |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row} |`),
  ].join("\n");
}

export function endpointsTable(): string {
  const rows = networks.flatMap((network) => network.endpoints.map((endpoint) => `| ${code(endpoint.env)} | ${cell(`${endpoint.purpose}; default ${code(endpoint.default)}`)} |`));
  return ["| variable | meaning |", "| --- | --- |", ...rows].join("\n");
}

const sections: Record<string, () => string> = { networks: networksTable, endpoints: endpointsTable };

/** The README with every generated section (between its markers) rewritten. */
export function withGeneratedSections(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(sections)) {
    const start = `<!-- generated: ${name} (npm run readme:networks) -->`;
    const end = `<!-- end generated: ${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the markers of the generated "${name}" section`);
    out = `${out.slice(0, from + start.length)}\n${render()}\n${out.slice(to)}`;
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const current = readFileSync(readmeFile, "utf8");
  const fresh = withGeneratedSections(current);
  if (process.argv.includes("--check")) {
    if (fresh !== current) {
      console.error("README.md's network tables are stale: run npm run readme:networks");
      process.exit(1);
    }
  } else {
    writeFileSync(readmeFile, fresh);
  }
}

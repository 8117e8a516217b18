// Where the dev tooling may be used. test/ is only for tests: the app, the benchmarks, the scripts and devkit/
// itself never import it. devkit/ (simulators, webhook and order builders, databases, the storefront harness) is
// shared by the demo, the benchmarks and the tests, and never reaches what production runs: neither the Remix build
// (bundled from app/root.tsx, app/entry.server.tsx and app/routes) nor the serve and worker commands.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (rel === "app/db/generated" || entry.name === "node_modules" || entry.name === "results") continue;
      out.push(...sourceFiles(rel));
    } else if (/\.(?:ts|tsx|mts|mjs|js)$/.test(entry.name) && !entry.name.endsWith(".min.js")) {
      out.push(rel);
    }
  }
  return out;
}

/**
 * Every module a file names: static imports and exports, `import("…")` with a literal, and the folder part of a
 * template-literal `import(\`…/${x}/…\`)` (resolved as far as it is literal), each resolved to a repository path.
 */
export function importsOf(file: string): string[] {
  const source = readFileSync(path.join(root, file), "utf8");
  const specifiers = [
    ...source.matchAll(/(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']/g),
    ...source.matchAll(/(?:^|[\s;])import\s*["']([^"']+)["']/g),
    ...source.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...source.matchAll(/\bimport\s*\(\s*`([^`$]*)/g),
  ].map((match) => match[1]!);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

/** Every repository file reachable from `entries` through relative imports. */
function reachable(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const target of importsOf(file)) {
      const candidates = [target, `${target}.ts`, `${target}.tsx`, `${target}/index.ts`];
      const found = candidates.find((c) => existsSync(path.join(root, c)) && statSync(path.join(root, c)).isFile());
      // A template-literal import's folder (devkit's loader) counts as reaching into that folder.
      if (!found) seen.add(`${target}/*`);
      else queue.push(found);
    }
  }
  return seen;
}

const under = (prefix: string) => (file: string) => file === prefix || file.startsWith(`${prefix}/`);

describe("the dev tooling's boundaries", () => {
  it.each(["app", "bench", "scripts", "devkit"])("nothing under %s/ imports from test/", (dir) => {
    const offenders = sourceFiles(dir).flatMap((file) => importsOf(file).filter(under("test")).map((target) => `${file} -> ${target}`));
    expect(offenders).toEqual([]);
  });

  it("the scan sees imports of every form (so the checks above can fail)", () => {
    expect(importsOf("app/cli/main.ts")).toContain("app/cli/commands/demo.ts");
    expect(importsOf("bench/storefront.bench.ts")).toContain("devkit/storefront/harness.ts");
    expect(importsOf("test/devkit/network-simulators.test.ts")).toContain("devkit/simulators/network-simulators.ts");
  });

  it("what production runs never reaches devkit/, a network's simulator, or test/", () => {
    const routes = readdirSync(path.join(root, "app/routes"), { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? `app/routes/${entry.name}/route.tsx` : `app/routes/${entry.name}`,
    );
    const entries = ["app/root.tsx", "app/entry.server.tsx", ...routes, "app/cli/commands/serve.ts", "app/cli/commands/worker.ts"].filter((file) =>
      existsSync(path.join(root, file)),
    );
    expect(entries.length).toBeGreaterThan(5);
    const reached = [...reachable(entries)];
    expect(reached).toContain("app/networks/registry.ts");
    expect(reached.filter((file) => under("devkit")(file) || under("test")(file) || /^app\/networks\/[^/]+\/simulator\.ts$/.test(file))).toEqual([]);
  });
});

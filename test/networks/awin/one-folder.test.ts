// Adding a network is its folder and its registry line (README.md, "Networks"): what `grep -ril awin` over the
// app, the benchmarks, the scripts, the storefront extension and devkit finds is Awin's own folder, the registry,
// and generated artefacts, nothing else.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
const searched = ["app", "bench", "scripts", "extensions", "devkit"];

const allowed = [
  /^app\/networks\/awin\//,
  /^app\/networks\/registry\.ts$/,
  // Generated: the built storefront script, benchmark reports, the generated Prisma clients.
  /^extensions\/[^/]+\/assets\/[^/]+\.min\.js$/,
  /^bench\/results\//,
  /^app\/db\/generated\//,
];

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : filesUnder(rel);
    return entry.isFile() ? [rel] : [];
  });
}

/** What `grep -ril <word>` lists over the searched folders. */
function mentioning(word: string): string[] {
  const pattern = new RegExp(word, "i");
  return searched.flatMap(filesUnder).filter((file) => pattern.test(readFileSync(path.join(root, file), "latin1")));
}

describe("Awin is one folder and one registry line", () => {
  it("is named nowhere else in app/, bench/, scripts/, extensions/ or devkit/", () => {
    expect(mentioning("awin").filter((file) => !allowed.some((rule) => rule.test(file)))).toEqual([]);
  });

  it("the search finds what grep would (so the check above can fail)", () => {
    const found = mentioning("awin");
    expect(found).toContain("app/networks/awin/index.ts");
    // Refersion's tracker is driven by the storefront script itself: a file outside its folder that names it.
    expect(mentioning("refersion")).toContain("app/storefront/embed/affiliate-relay.ts");
  });
});

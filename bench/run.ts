// `npm run bench`: runs every bench/*.bench.ts in its own process, one after another (they load the machine),
// and keeps their reports together in bench/results/latest.md.
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => only.length === 0 || only.some((wanted) => name.includes(wanted)))
  .sort();

const sections: string[] = [`# Benchmarks ${new Date().toISOString()}`, ""];
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, file)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  process.stdout.write(result.stdout);
  sections.push(`## ${file}`, "", "```", result.stdout.trim(), "```", "");
  if (result.status !== 0) {
    failed++;
    console.error(`${file} exited with ${result.status}`);
  }
}
writeFileSync(path.join(dir, "results", "latest.md"), sections.join("\n"));
process.exitCode = failed ? 1 : 0;

#!/usr/bin/env node
// Builds the app (remix vite:build, what `npm run build` runs) unless build/ was made from exactly the current
// sources. Run under flock by app-build.ts, so that test files starting together build once. A content hash, not
// mtimes: `npm test` regenerates the Prisma client (same content, new mtime) before every run.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const stamp = path.join(root, "build", ".source-hash");

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !/\.test\.[cm]?[jt]sx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

export function sourceHash() {
  const hash = createHash("sha256");
  for (const file of [...files(path.join(root, "app")), ...files(path.join(root, "public")), path.join(root, "vite.config.ts"), path.join(root, "package.json"), fileURLToPath(import.meta.url)]) {
    hash.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

const wanted = sourceHash();
const fresh =
  existsSync(path.join(root, "build", "server", "index.js")) && existsSync(stamp) && readFileSync(stamp, "utf8") === wanted;
if (fresh) {
  process.stdout.write("build/ is up to date\n");
} else {
  const started = Date.now();
  // `npm run build` minus its prebuild step: regenerating the Prisma clients here would rewrite app/db/generated
  // while test files in other forks import it (`npm test` generated them already, in pretest).
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build"], {
    cwd: root,
    // vitest sets NODE_ENV=test, which would give React's development build: build exactly what production runs.
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, wanted);
  process.stdout.write(`built in ${Date.now() - started} ms\n`);
}

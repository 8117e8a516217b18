#!/usr/bin/env node
// The web process `shopify app dev` starts (shopify.web.toml's dev command): the Remix dev server and, beside it,
// the delivery worker (`affiliate-relay worker`), so that a development store's test orders are delivered. The
// two share DATABASE_URL; SQLite's busy retries (app/pipeline/sql/driver.server.ts) let two processes use one file.
// AFFILIATE_RELAY_DEV_WORKER=0 leaves the worker out (when one runs elsewhere). Ctrl-C or SIGTERM stops both; when
// either exits, the other is stopped and its exit code is this one's.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The CLI hands the tunnel URL over as HOST; vite.config.ts turns it into SHOPIFY_APP_URL for the dev server,
// and the worker gets the same.
const env = { ...process.env };
if (env.HOST && (!env.SHOPIFY_APP_URL || env.SHOPIFY_APP_URL === env.HOST)) env.SHOPIFY_APP_URL = env.HOST;

const children = [
  spawn(process.execPath, [path.join(root, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:dev", ...process.argv.slice(2)], {
    cwd: root,
    stdio: "inherit",
  }),
];
if (process.env.AFFILIATE_RELAY_DEV_WORKER !== "0") {
  children.push(spawn(process.execPath, [path.join(root, "bin", "affiliate-relay.mjs"), "worker"], { cwd: root, stdio: "inherit", env }));
}

let exitCode;
const stopAll = (signal) => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const child of children) {
  child.once("exit", (code, signal) => {
    exitCode ??= code ?? (signal ? 1 : 0);
    stopAll("SIGTERM");
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stopAll(signal));

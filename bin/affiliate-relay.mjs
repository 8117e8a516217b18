#!/usr/bin/env node
// The package's bin: loads the TypeScript CLI through tsx, so `npx affiliate-relay` works straight after `npm ci`.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../app/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));

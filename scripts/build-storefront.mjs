// Compiles the storefront script (app/storefront/embed/affiliate-relay.ts) into the theme app extension's asset.
// The committed asset is what ships; test/storefront checks that it matches a fresh build.
//   node scripts/build-storefront.mjs          write the asset and print its size
//   node scripts/build-storefront.mjs --check  exit 1 when the committed asset is stale
import { build } from "esbuild";
import { Buffer } from "node:buffer";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const storefrontSource = path.join(root, "app/storefront/embed/affiliate-relay.ts");
export const storefrontAsset = path.join(root, "extensions/affiliate-relay-embed/assets/affiliate-relay.min.js");

export async function buildStorefrontScript() {
  const result = await build({
    entryPoints: [storefrontSource],
    bundle: true,
    minify: true,
    format: "iife",
    // Optional chaining and friends stay native: every browser Shopify's storefronts support has them.
    target: ["es2020"],
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

export function gzippedSize(code) {
  return gzipSync(Buffer.from(code), { level: 9 }).length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await buildStorefrontScript();
  if (process.argv.includes("--check")) {
    const committed = readFileSync(storefrontAsset, "utf8");
    if (committed !== code) {
      console.error(`${path.relative(root, storefrontAsset)} is stale: run node scripts/build-storefront.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(storefrontAsset, code);
  }
  console.log(`storefront script: ${Buffer.byteLength(code)} bytes minified, ${gzippedSize(code)} bytes gzipped`);
}

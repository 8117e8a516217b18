// The theme app extension as files: the shipped asset is a fresh build of the source and within budget, and the
// app embed block renders the configuration and a deferred script only when the metafield exists.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildStorefrontScript, gzippedSize } from "../../scripts/build-storefront.mjs";
import { storefrontConfigFromSettings } from "../../app/storefront/config.ts";
import { assetFile, blockFile, extensionDir, renderBlock } from "../../devkit/storefront/harness.ts";

const SIZE_BUDGET_GZIP = 3 * 1024;

describe("storefront script asset", () => {
  it("is exactly what scripts/build-storefront.mjs builds from app/storefront/embed (the committed asset ships)", async () => {
    const fresh = await buildStorefrontScript();
    expect(readFileSync(assetFile, "utf8")).toBe(fresh);
  });

  it(`stays within ${SIZE_BUDGET_GZIP} bytes minified and gzipped`, () => {
    const code = readFileSync(assetFile, "utf8");
    const gzipped = gzippedSize(code);
    console.log(`[storefront] affiliate-relay.min.js: ${Buffer.byteLength(code)} bytes minified, ${gzipped} bytes gzipped (budget ${SIZE_BUDGET_GZIP})`);
    expect(gzipped).toBeLessThanOrEqual(SIZE_BUDGET_GZIP);
  });

  it("keeps the production Refersion tracker URL as its only third-party address", () => {
    const code = readFileSync(assetFile, "utf8");
    expect(code).toContain('"https://cdn.refersion.com/refersion.js"');
    expect(code.match(/https?:\/\/[^"'`\s]+/g)).toEqual(["https://cdn.refersion.com/refersion.js"]);
  });
});

describe("app embed block", () => {
  const source = readFileSync(blockFile, "utf8");
  const schema = JSON.parse(source.match(/{%\s*schema\s*%}([\s\S]*?){%\s*endschema\s*%}/)![1]!) as Record<string, unknown>;

  it("is an app embed targeting head, with its name translated and no merchant settings", () => {
    expect(schema.target).toBe("head");
    expect(schema.settings).toEqual([]);
    const locale = JSON.parse(readFileSync(path.join(extensionDir, "locales/en.default.schema.json"), "utf8")) as { blocks: { app_embed: { name: string } } };
    expect(schema.name).toBe("t:blocks.app_embed.name");
    expect(locale.blocks.app_embed.name).toBe("Affiliate Relay");
  });

  it("renders nothing for a shop whose configuration was never synced", () => {
    expect(renderBlock(null).trim()).toBe("");
  });

  it("renders the configuration as JSON and loads the asset deferred", () => {
    const config = storefrontConfigFromSettings({ networks: { refersion: { enabled: true, publicKey: "pub_abc" }, flexoffers: { enabled: true } } });
    const html = renderBlock(config);
    const json = html.match(/<script type="application\/json" id="affiliate-relay-config">([\s\S]*?)<\/script>/)![1]!;
    expect(JSON.parse(json)).toEqual(config);
    expect(html).toMatch(/<script src="\/assets\/affiliate-relay\.min\.js" defer><\/script>/);
    expect(existsSync(path.join(extensionDir, "assets/affiliate-relay.min.js"))).toBe(true);
  });
});

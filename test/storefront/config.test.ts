import { describe, expect, it } from "vitest";
import { networks } from "../../app/networks/registry.ts";
import {
  STOREFRONT_CONFIG_VERSION,
  parseStorefrontConfig,
  StorefrontConfigError,
  storefrontConfigFromSettings,
  type StorefrontSettingsSource,
} from "../../app/storefront/config.ts";
import type { SettingsFile } from "../../app/settings/file-schema.ts";

// The settings file's type must keep satisfying what the storefront reads (checked by tsc).
export type SettingsFileFeedsStorefront = SettingsFile extends StorefrontSettingsSource ? true : never;
const settingsFileFeedsStorefront: SettingsFileFeedsStorefront = true;

const PUBLIC_KEY = "pub_ee6ba2b9f9295e53f4eb";
const capturing = networks.filter((network) => network.storefront);
const withSettingDays = capturing.filter((network) => "setting" in network.storefront!.days);

/** Every network on, every text field holding a marker naming it, every number field 45. */
function markedSettings(): StorefrontSettingsSource & { networks: Record<string, Record<string, unknown>> } {
  const blocks: Record<string, Record<string, unknown>> = {};
  for (const network of networks) {
    const block: Record<string, unknown> = { enabled: true };
    for (const field of network.fields) block[field.key] = field.input === "number" ? 45 : `marker-${network.id}-${field.key}`;
    blocks[network.id] = block;
  }
  blocks.refersion!.publicKey = PUBLIC_KEY;
  return { consentGating: true, networks: blocks };
}

const captureFor = (config: ReturnType<typeof storefrontConfigFromSettings>, attribute: string) => config.captures.find((c) => c.attribute === attribute);

describe("storefrontConfigFromSettings", () => {
  it("accepts the settings file type (app/settings/file-schema.ts)", () => {
    expect(settingsFileFeedsStorefront).toBe(true);
  });

  it("carries consent gating, Refersion's public key, and one capture per capturing network that is on, from its declaration", () => {
    const config = storefrontConfigFromSettings(markedSettings());
    expect(config.consentGating).toBe(true);
    expect(config.refersion).toEqual({ publicKey: PUBLIC_KEY });
    expect(config.captures).toEqual(
      capturing.map(({ storefront: capture }) => ({
        param: capture!.param,
        pattern: capture!.pattern,
        cookie: capture!.cookie,
        days: "fixed" in capture!.days ? capture!.days.fixed : 45,
        attribute: capture!.cartAttribute,
        ...(capture!.redirectParam ? { redirect: capture!.redirectParam } : {}),
      })),
    );
  });

  it("keeps the contract names of the networks PRODUCT.md lists (cookies, attributes, Retrack's deeplink)", () => {
    const config = storefrontConfigFromSettings(markedSettings());
    expect(captureFor(config, "_retrack_click")).toMatchObject({ param: "click", cookie: "retrack_click", days: 10, redirect: "deeplink" });
    expect(captureFor(config, "_flexoffers_refid")).toMatchObject({ param: "refid", cookie: "flexoffers_refid", days: 45 });
    expect(captureFor(config, "_flexoffers_refid")).not.toHaveProperty("redirect");
  });

  it("never carries a secret or any other setting's value (Refersion's public key aside)", () => {
    const settings = markedSettings();
    const rendered = JSON.stringify(storefrontConfigFromSettings(settings));
    expect(rendered).not.toContain("marker-");
    for (const network of networks) {
      for (const field of network.fields.filter((f) => f.secret)) expect(rendered).not.toContain(String(settings.networks[network.id]![field.key]));
    }
  });

  it("defaults: consent gating on, absent networks off, a merchant's window unset gives the network's default", () => {
    for (const network of capturing) {
      const config = storefrontConfigFromSettings({ networks: { [network.id]: { enabled: true } } });
      const days = network.storefront!.days;
      expect(config).toEqual({
        version: STOREFRONT_CONFIG_VERSION,
        consentGating: true,
        captures: [expect.objectContaining({ attribute: network.storefront!.cartAttribute, days: "fixed" in days ? days.fixed : days.default })],
      });
    }
    expect(storefrontConfigFromSettings({ networks: {} })).toEqual({ version: STOREFRONT_CONFIG_VERSION, consentGating: true, captures: [] });
  });

  it("leaves out every network that is off, so the script does no work for it", () => {
    const settings = markedSettings();
    for (const network of networks) settings.networks[network.id]!.enabled = false;
    expect(storefrontConfigFromSettings(settings)).toEqual({ version: STOREFRONT_CONFIG_VERSION, consentGating: true, captures: [] });
  });

  it("honours the merchant's choice to turn consent gating off", () => {
    expect(storefrontConfigFromSettings({ ...markedSettings(), consentGating: false }).consentGating).toBe(false);
  });

  it.each([
    ["Refersion on without a public key", { networks: { refersion: { enabled: true, publicKey: " " } } }, /refersion\.publicKey: a public key is needed/],
    ["markup in the public key", { networks: { refersion: { enabled: true, publicKey: "pub_</script>" } } }, /refersion\.publicKey: must be Refersion's public key/],
  ])("rejects %s with a clear message", (_label, settings, message) => {
    expect(() => storefrontConfigFromSettings(settings as StorefrontSettingsSource)).toThrow(StorefrontConfigError);
    expect(() => storefrontConfigFromSettings(settings as StorefrontSettingsSource)).toThrow(message);
  });

  it.each(withSettingDays.flatMap((network) => [[network.label, 0, /captures\.0\.days: must be at least 1 day/], [network.label, 1.5, /captures\.0\.days/]] as const))(
    "rejects a %s window of %s days",
    (label, days, message) => {
      const network = withSettingDays.find((n) => n.label === label)!;
      const setting = (network.storefront!.days as { setting: string }).setting;
      const settings = { networks: { [network.id]: { enabled: true, [setting]: days } } };
      expect(() => storefrontConfigFromSettings(settings)).toThrow(message);
    },
  );
});

describe("parseStorefrontConfig", () => {
  const config = storefrontConfigFromSettings(markedSettings());
  const capture = config.captures[0]!;

  it("refuses keys it does not know, so nothing unplanned reaches the storefront (the harness's tracker URL included)", () => {
    expect(() => parseStorefrontConfig({ ...config, trackerUrl: "https://evil.example/x.js" })).toThrow(/trackerUrl/);
    expect(() => parseStorefrontConfig({ ...config, refersion: { ...config.refersion, secretKey: "sec_x" } })).toThrow(/secretKey/);
    expect(() => parseStorefrontConfig({ ...config, captures: [{ ...capture, network: "x" }] })).toThrow(/network/);
  });

  it.each([
    ["a cookie name that would break the cookie string", { cookie: "a=b; path" }, /captures\.0\.cookie: must be a cookie name/],
    ["an attribute name with markup", { attribute: "<b>" }, /captures\.0\.attribute/],
    ["a parameter name with spaces", { param: "a b" }, /captures\.0\.param/],
    ["a pattern that does not compile", { pattern: "([a-z" }, /captures\.0\.pattern: must be a valid regular expression/],
    ["a pattern with markup", { pattern: "</script>" }, /captures\.0\.pattern: must not contain </],
    ["a window of 400 days", { days: 400 }, /captures\.0\.days: must be at most 365 days/],
  ])("refuses a capture with %s", (_label, change, message) => {
    expect(() => parseStorefrontConfig({ ...config, captures: [{ ...capture, ...change }] })).toThrow(message);
  });
});

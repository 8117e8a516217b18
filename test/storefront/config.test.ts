import { describe, expect, it } from "vitest";
import {
  parseStorefrontConfig,
  StorefrontConfigError,
  storefrontConfigFromSettings,
  type StorefrontSettingsSource,
} from "../../app/storefront/config.ts";
import type { SettingsFile } from "../../app/settings/file-schema.ts";

// The settings file's type must keep satisfying what the storefront reads (checked by tsc).
export type SettingsFileFeedsStorefront = SettingsFile extends StorefrontSettingsSource ? true : never;
const settingsFileFeedsStorefront: SettingsFileFeedsStorefront = true;

const SECRET_KEY = "sec_do-not-leak-0001";
const API_TOKEN = "retrack-token-do-not-leak";

const fullSettings = {
  currency: "shop",
  sendTestOrders: false,
  consentGating: true,
  networks: {
    refersion: { enabled: true, publicKey: "pub_ee6ba2b9f9295e53f4eb", secretKey: SECRET_KEY },
    retrack: { enabled: true, apiToken: API_TOKEN, eventId: "3f1c2a9e-6a47-4b1c-9d0e-2b8f7a6c5d4e" },
    flexoffers: { enabled: true, advertiserId: "1234", commissionId: "", cookieDays: 45 },
  },
};

describe("storefrontConfigFromSettings", () => {
  it("accepts the settings file type (app/settings/file-schema.ts)", () => {
    expect(settingsFileFeedsStorefront).toBe(true);
  });

  it("keeps only what the storefront needs: networks on, Refersion's public key, cookie windows, consent gating", () => {
    expect(storefrontConfigFromSettings(fullSettings)).toEqual({
      consentGating: true,
      refersion: { enabled: true, publicKey: "pub_ee6ba2b9f9295e53f4eb" },
      retrack: { enabled: true, cookieDays: 10 },
      flexoffers: { enabled: true, cookieDays: 45 },
    });
  });

  it("never carries a secret, an advertiser id or an event id", () => {
    const rendered = JSON.stringify(storefrontConfigFromSettings(fullSettings));
    for (const secret of [SECRET_KEY, API_TOKEN, "3f1c2a9e", "1234"]) expect(rendered).not.toContain(secret);
  });

  it("defaults: consent gating on, FlexOffers 30 days, absent networks off", () => {
    const config = storefrontConfigFromSettings({ networks: { flexoffers: { enabled: true } } });
    expect(config).toEqual({
      consentGating: true,
      refersion: { enabled: false, publicKey: "" },
      retrack: { enabled: false, cookieDays: 10 },
      flexoffers: { enabled: true, cookieDays: 30 },
    });
  });

  it("honours the merchant's choice to turn consent gating off", () => {
    expect(storefrontConfigFromSettings({ ...fullSettings, consentGating: false }).consentGating).toBe(false);
  });

  it("drops a disabled Refersion's key: an off network needs nothing on the page", () => {
    const settings: StorefrontSettingsSource = { networks: { refersion: { enabled: false, publicKey: "pub_abc" } } };
    expect(storefrontConfigFromSettings(settings).refersion).toEqual({ enabled: false, publicKey: "" });
  });

  it.each([
    ["Refersion on without a public key", { networks: { refersion: { enabled: true, publicKey: " " } } }, /refersion\.publicKey: a public key is needed/],
    ["markup in the public key", { networks: { refersion: { enabled: true, publicKey: "pub_</script>" } } }, /refersion\.publicKey: must be Refersion's public key/],
    ["a FlexOffers window of 0 days", { networks: { flexoffers: { enabled: true, cookieDays: 0 } } }, /flexoffers\.cookieDays: must be at least 1 day/],
    ["a fractional window", { networks: { flexoffers: { enabled: true, cookieDays: 1.5 } } }, /flexoffers\.cookieDays/],
  ])("rejects %s with a clear message", (_label, settings, message) => {
    expect(() => storefrontConfigFromSettings(settings as StorefrontSettingsSource)).toThrow(StorefrontConfigError);
    expect(() => storefrontConfigFromSettings(settings as StorefrontSettingsSource)).toThrow(message);
  });
});

describe("parseStorefrontConfig", () => {
  it("refuses keys it does not know, so nothing unplanned reaches the storefront (the harness's tracker URL included)", () => {
    const config = storefrontConfigFromSettings(fullSettings);
    expect(() => parseStorefrontConfig({ ...config, trackerUrl: "https://evil.example/x.js" })).toThrow(/trackerUrl/);
    expect(() => parseStorefrontConfig({ ...config, refersion: { ...config.refersion, secretKey: SECRET_KEY } })).toThrow(/secretKey/);
  });
});

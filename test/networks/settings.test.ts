import { describe, expect, it } from "vitest";
import { secretFieldKeys } from "../../app/networks/fields.ts";
import { networkById, networks } from "../../app/networks/registry.ts";
import { settingsFileSchema } from "../../app/settings/file-schema.ts";

const EVENT = "1f80e399-6f55-4cef-b8b0-0f74752c1ceb";
const issues = (input: unknown) => {
  const result = settingsFileSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};

describe("registry", () => {
  it("lists the networks once, each with the same parts", () => {
    expect(networks.map((n) => n.id).slice(0, 3)).toEqual(["refersion", "retrack", "flexoffers"]);
    for (const network of networks) {
      expect(networkById(network.id)).toBe(network);
      expect(network.settingsSchema.safeParse(network.placeholderSettings).success).toBe(true);
      expect(typeof network.mapConversion).toBe("function");
      expect(typeof network.classify).toBe("function");
    }
    expect(networkById("nope")).toBeUndefined();
    // Derived from each network's fields (app/networks/fields.ts).
    expect(["refersion", "retrack", "flexoffers"].map((id) => secretFieldKeys(networkById(id)!))).toEqual([["secretKey"], ["apiToken"], []]);
  });
});

describe("settings file", () => {
  it("refuses keys that could not travel in an HTTP header (pasted with a line break or a space)", () => {
    const found = issues({
      networks: {
        refersion: { enabled: true, publicKey: "pub", secretKey: "sec\nret" },
        retrack: { enabled: true, apiToken: "tok en", eventId: EVENT },
      },
    });
    expect(found).toEqual([
      expect.stringMatching(/^networks\.refersion\.secretKey: must be the key alone, on one line/),
      expect.stringMatching(/^networks\.retrack\.apiToken: must be the key alone/),
    ]);
    // Surrounding whitespace from a copy is forgiven.
    expect(issues({ networks: { refersion: { enabled: true, publicKey: " pub ", secretKey: "sec\n" } } })).toEqual([]);
  });

  it("accepts PRODUCT.md's example and fills the defaults", () => {
    const parsed = settingsFileSchema.parse({
      currency: "shop",
      sendTestOrders: false,
      networks: {
        refersion: { enabled: true, publicKey: "pub", secretKey: "sec" },
        retrack: { enabled: true, apiToken: "tok", eventId: EVENT },
        flexoffers: { enabled: true, advertiserId: "adv", commissionId: "" },
      },
    });
    expect(parsed).toMatchObject({ currency: "shop", sendTestOrders: false, consentGating: true });
    expect(parsed.networks.flexoffers).toEqual({ enabled: true, advertiserId: "adv", commissionId: "", cookieDays: 30 });
    expect(settingsFileSchema.parse({})).toEqual({ currency: "shop", sendTestOrders: false, consentGating: true, networks: {} });
  });

  it("keeps keys it does not know", () => {
    expect(settingsFileSchema.parse({ futureOption: 1, networks: { newNetwork: { enabled: true } } })).toMatchObject({ futureOption: 1, networks: { newNetwork: { enabled: true } } });
  });

  it("requires credentials only for networks that are switched on", () => {
    expect(issues({ networks: { refersion: { enabled: false }, retrack: { enabled: false, apiToken: "", eventId: "" } } })).toEqual([]);
    expect(issues({ networks: { refersion: { enabled: true, publicKey: "pub" } } })).toEqual([
      "networks.refersion.secretKey: Refersion is switched on but its secret key is empty: copy it from Refersion > Account > Settings > Refersion API, or switch Refersion off",
    ]);
    expect(issues({ networks: { retrack: { enabled: true, apiToken: "t", eventId: "abc" } } })[0]).toMatch(/eventId: must be the program event's UUID/);
    expect(issues({ networks: { flexoffers: { enabled: true, advertiserId: "a", cookieDays: 0 } } })[0]).toMatch(/cookieDays: must be at least 1 day/);
    expect(issues({ currency: "euro" })[0]).toMatch(/currency: must be "shop" or "presentment"/);
    expect(issues({ networks: { flexoffers: { advertiserId: "a" } } })[0]).toMatch(/enabled: enabled must be true or false/);
  });
});

// The storefront script reads a metafield still in format 1 (written before the capture table, until the worker
// re-syncs the shop: app/storefront/resync.server.ts) as the current format would say the same settings.
import { describe, expect, it } from "vitest";
import { storefrontConfigFromSettings } from "../../app/storefront/config.ts";
import { capturesOf, refersionKeyOf } from "../../app/storefront/embed/legacy-config.ts";

/** Format 1 as app/storefront/config.ts wrote it (git history: "Storefront: config, metafield sync, embed script"). */
type On = { refersion?: boolean; retrack?: boolean; flexoffers?: boolean };
const format1 = (on: On, flexoffersDays = 30) => ({
  consentGating: true,
  refersion: { enabled: !!on.refersion, publicKey: on.refersion ? "pub_abc" : "" },
  retrack: { enabled: !!on.retrack, cookieDays: 10 },
  flexoffers: { enabled: !!on.flexoffers, cookieDays: flexoffersDays },
});

describe("format 1 in the storefront script", () => {
  it.each<[On, number]>([
    [{ retrack: true, flexoffers: true }, 7],
    [{ retrack: true }, 30],
    [{ flexoffers: true, refersion: true }, 90],
    [{}, 30],
  ])("captures what the current format captures for the same settings: %o, %i days", (on, days) => {
    const current = storefrontConfigFromSettings({
      networks: {
        refersion: { enabled: !!on.refersion, publicKey: "pub_abc" },
        retrack: { enabled: !!on.retrack },
        flexoffers: { enabled: !!on.flexoffers, cookieDays: days },
      },
    });
    expect(capturesOf(format1(on, days))).toEqual(current.captures);
    expect(refersionKeyOf(format1(on, days))).toBe(current.refersion?.publicKey ?? null);
  });

  it("reads the current format's own table and Refersion key as they are", () => {
    const current = storefrontConfigFromSettings({ networks: { refersion: { enabled: true, publicKey: "pub_abc" }, flexoffers: { enabled: true } } });
    expect(capturesOf(current)).toBe(current.captures);
    expect(refersionKeyOf(current)).toBe("pub_abc");
  });

  it("captures nothing from a block it cannot read, and takes the network's window for a bad one", () => {
    expect(capturesOf({ retrack: "on", flexoffers: null } as never)).toEqual([]);
    expect(capturesOf({ flexoffers: { enabled: true, cookieDays: "7" } } as never)[0]!.days).toBe(30);
    expect(refersionKeyOf({ refersion: { enabled: true, publicKey: 42 } } as never)).toBeNull();
  });
});

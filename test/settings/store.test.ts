// Settings in the database: sealed credentials, blank secrets kept, invalid input changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/db/client.server.ts";
import { keyringFromEnv } from "../../app/security/encryption.server.ts";
import {
  exportSettingsFile,
  loadShopConfig,
  markCredentialsOk,
  markCredentialsRejected,
  saveSettingsFile,
  SettingsError,
} from "../../app/settings/store.server.ts";
import { createTestDb, databaseKinds } from "../support/databases.ts";

const SHOP = "settings-test.myshopify.com";
const EVENT = "2f0b7c52-7d43-4f5e-9d0a-3c1d1b8f6a11";

const file = () => ({
  currency: "presentment",
  sendTestOrders: true,
  networks: {
    refersion: { enabled: true, publicKey: "pub_abc123", secretKey: "sec_refersion_SECRET" },
    retrack: { enabled: true, apiToken: "retrack_TOKEN_secret", eventId: EVENT },
    flexoffers: { enabled: false, advertiserId: "", commissionId: "" },
  },
});

describe.each(databaseKinds)("settings store on %s", (kind) => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await createTestDb(kind));
  });
  afterAll(async () => db.$disconnect());

  it("stores credentials as ciphertext and reads them back decrypted", async () => {
    const config = await saveSettingsFile(db, SHOP, file());
    expect(config.currencyMode).toBe("presentment");
    expect(config.sendTestOrders).toBe(true);
    expect(config.consentGating).toBe(true);
    const rows = await db.networkConnection.findMany({ where: { shop: SHOP } });
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain("sec_refersion_SECRET");
    expect(raw).not.toContain("retrack_TOKEN_secret");
    // Named by the key's fingerprint (the first key of ENCRYPTION_KEY, labelled "k1" in vitest.config.ts).
    expect(rows.find((r) => r.network === "refersion")?.secretCiphertext).toMatch(new RegExp(`^v1\\.${keyringFromEnv().currentId}\\.`));
    expect(raw).toContain("pub_abc123"); // public settings stay readable
    const loaded = await loadShopConfig(db, SHOP);
    const refersion = loaded!.networks.find((n) => n.definition.id === "refersion")!;
    expect(refersion.settings.secretKey).toBe("sec_refersion_SECRET");
    expect(refersion.enabled).toBe(true);
  });

  it("exports without secrets unless asked, and a blank secret on import keeps the stored one", async () => {
    const exported = (await exportSettingsFile(db, SHOP)) as unknown as ReturnType<typeof file>;
    expect(JSON.stringify(exported)).not.toContain("SECRET");
    expect(exported.networks.refersion.secretKey).toBe("");
    const before = (await db.networkConnection.findFirstOrThrow({ where: { shop: SHOP, network: "refersion" } })).credentialsVersion;
    await saveSettingsFile(db, SHOP, exported);
    const loaded = await loadShopConfig(db, SHOP);
    expect(loaded!.networks.find((n) => n.definition.id === "refersion")!.settings.secretKey).toBe("sec_refersion_SECRET");
    const after = (await db.networkConnection.findFirstOrThrow({ where: { shop: SHOP, network: "refersion" } })).credentialsVersion;
    expect(after).toBe(before);
    const withSecrets = (await exportSettingsFile(db, SHOP, { includeSecrets: true })) as unknown as ReturnType<typeof file>;
    expect(withSecrets.networks.retrack.apiToken).toBe("retrack_TOKEN_secret");
  });

  it("new credentials bump the version and clear a rejection; a rejection for old keys is ignored", async () => {
    const row = await db.networkConnection.findFirstOrThrow({ where: { shop: SHOP, network: "retrack" } });
    await markCredentialsRejected(db, SHOP, "retrack", row.credentialsVersion, "401 Unauthorized");
    expect((await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "retrack")!.credentialsStatus).toBe("rejected");
    const changed = file();
    changed.networks.retrack.apiToken = "retrack_NEW_token";
    await saveSettingsFile(db, SHOP, changed);
    const retrack = (await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "retrack")!;
    expect(retrack.credentialsVersion).toBe(row.credentialsVersion + 1);
    expect(retrack.credentialsStatus).toBe("unverified");
    await markCredentialsRejected(db, SHOP, "retrack", row.credentialsVersion, "late 401 for the old token");
    expect((await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "retrack")!.credentialsStatus).toBe("unverified");
    await markCredentialsOk(db, SHOP, "retrack", retrack.credentialsVersion);
    expect((await loadShopConfig(db, SHOP))!.networks.find((n) => n.definition.id === "retrack")!.credentialsStatus).toBe("ok");
  });

  it("rejects invalid settings with a clear message and changes nothing", async () => {
    const snapshot = JSON.stringify(await db.networkConnection.findMany({ where: { shop: SHOP }, orderBy: { network: "asc" } }));
    const bad = file() as Record<string, unknown> & ReturnType<typeof file>;
    bad.networks.retrack.eventId = "not-a-uuid";
    bad.networks.refersion.publicKey = "changed";
    await expect(saveSettingsFile(db, SHOP, bad)).rejects.toThrow(SettingsError);
    await expect(saveSettingsFile(db, SHOP, bad)).rejects.toThrow(/networks\.retrack\.eventId/);
    await expect(saveSettingsFile(db, SHOP, { currency: "euro", networks: {} })).rejects.toThrow(/currency/);
    await expect(saveSettingsFile(db, "new-shop.myshopify.com", { networks: { refersion: { enabled: true } } })).rejects.toThrow(/refersion/);
    expect(JSON.stringify(await db.networkConnection.findMany({ where: { shop: SHOP }, orderBy: { network: "asc" } }))).toBe(snapshot);
    expect(await db.shop.count({ where: { domain: "new-shop.myshopify.com" } })).toBe(0);
  });
});

// Merchants' settings in the database: shop-level options on Shop, one NetworkConnection per network with the
// non-secret settings as JSON and the secret ones sealed with AES-256-GCM (app/security/encryption.server.ts).
// Everything that reads or writes settings goes through here, so secrets are decrypted in exactly one place.
import type { Db } from "../db/client.server.ts";
import { secretFieldKeys } from "../networks/fields.ts";
import { networkById, networks, type AnyNetworkDefinition } from "../networks/registry.ts";
import type { CurrencyMode } from "../orders/model.ts";
import { open, seal } from "../security/encryption.server.ts";
import { settingsFileSchema, type SettingsFile } from "./file-schema.ts";
import { oneLineZodError } from "../orders/zod-error.ts";

export type CredentialsStatus = "unverified" | "ok" | "rejected";

type AnySettings = { enabled: boolean } & Record<string, unknown>;

export interface ConnectedNetwork {
  definition: AnyNetworkDefinition;
  /** Validated by the network's settingsSchema, secrets decrypted: never send this to a browser or a log. */
  settings: AnySettings;
  enabled: boolean;
  credentialsVersion: number;
  credentialsStatus: CredentialsStatus;
  credentialsError: string | null;
}

export interface ShopConfig {
  shop: string;
  currencyMode: CurrencyMode;
  sendTestOrders: boolean;
  consentGating: boolean;
  networks: ConnectedNetwork[];
}

export class SettingsError extends Error {}

/** Binds a sealed secret to its row (app/security/rotate-credentials.server.ts re-seals with the same). */
export const aadFor = (shop: string, network: string) => `${shop}/${network}`;

function splitSecrets(definition: AnyNetworkDefinition, settings: AnySettings) {
  const secrets: Record<string, unknown> = {};
  const publicConfig: Record<string, unknown> = {};
  const secretFields = new Set<string>(secretFieldKeys(definition));
  for (const [key, value] of Object.entries(settings)) {
    if (key === "enabled") continue;
    (secretFields.has(key) ? secrets : publicConfig)[key] = value;
  }
  return { secrets, publicConfig };
}

function readConnection(
  definition: AnyNetworkDefinition,
  row: { shop: string; enabled: boolean; publicConfig: string; secretCiphertext: string | null },
): AnySettings {
  const secrets = row.secretCiphertext ? (JSON.parse(open(row.secretCiphertext, undefined, aadFor(row.shop, definition.id))) as object) : {};
  const candidate = { ...(JSON.parse(row.publicConfig) as object), ...secrets, enabled: row.enabled };
  const parsed = definition.settingsSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new SettingsError(`stored ${definition.label} settings are no longer valid: ${oneLineZodError(parsed.error)}`);
  }
  return parsed.data;
}

export async function loadShopConfig(db: Db, shop: string): Promise<ShopConfig | null> {
  const row = await db.shop.findUnique({ where: { domain: shop }, include: { connections: true } });
  if (!row) return null;
  const connected: ConnectedNetwork[] = [];
  for (const connection of row.connections) {
    const definition = networkById(connection.network);
    if (!definition) continue; // a network this version no longer ships
    connected.push({
      definition,
      settings: readConnection(definition, connection),
      enabled: connection.enabled,
      credentialsVersion: connection.credentialsVersion,
      credentialsStatus: connection.credentialsStatus as CredentialsStatus,
      credentialsError: connection.credentialsError,
    });
  }
  return {
    shop,
    currencyMode: row.currencyMode === "presentment" ? "presentment" : "shop",
    sendTestOrders: row.sendTestOrders,
    consentGating: row.consentGating,
    networks: connected,
  };
}

/**
 * Validates and stores a settings file (PRODUCT.md "Settings file"). A blank secret keeps the stored one, so an
 * export (which never carries secrets unless asked) can be edited and imported again. Invalid input throws a
 * SettingsError and changes nothing.
 */
export async function saveSettingsFile(db: Db, shop: string, input: unknown): Promise<ShopConfig> {
  const existing = await loadShopConfig(db, shop);
  const merged = mergeStoredSecrets(input, existing);
  const parsed = settingsFileSchema.safeParse(merged);
  if (!parsed.success) throw new SettingsError(oneLineZodError(parsed.error));
  const file = parsed.data;

  const writes = [];
  for (const definition of networks) {
    const settings = (file.networks as Record<string, AnySettings | undefined>)[definition.id];
    if (!settings) continue;
    const { secrets, publicConfig } = splitSecrets(definition, settings);
    const previous = existing?.networks.find((n) => n.definition.id === definition.id);
    const credentialsChanged = !previous || fingerprint(previous.settings) !== fingerprint(settings);
    const sealed = Object.keys(secrets).length ? seal(JSON.stringify(secrets), undefined, aadFor(shop, definition.id)) : null;
    const data = {
      enabled: settings.enabled,
      publicConfig: JSON.stringify(publicConfig),
      secretCiphertext: sealed?.ciphertext ?? null,
      secretKeyId: sealed?.keyId ?? null,
      ...(credentialsChanged && previous
        ? { credentialsVersion: { increment: 1 }, credentialsStatus: "unverified", credentialsError: null }
        : {}),
    };
    writes.push(
      db.networkConnection.upsert({
        where: { shop_network: { shop, network: definition.id } },
        create: { shop, network: definition.id, ...data, credentialsVersion: 1 },
        update: data,
      }),
    );
  }
  const shopData = {
    currencyMode: file.currency,
    sendTestOrders: file.sendTestOrders,
    consentGating: file.consentGating,
    settingsSavedAt: new Date(),
    uninstalledAt: null,
  };
  await db.$transaction([
    db.shop.upsert({ where: { domain: shop }, create: { domain: shop, ...shopData }, update: shopData }),
    ...writes,
  ]);
  return (await loadShopConfig(db, shop))!;
}

/** Credentials identity: everything but the on/off switch. A change means the keys may work again. */
function fingerprint(settings: AnySettings): string {
  const { enabled: _enabled, ...rest } = settings;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

function mergeStoredSecrets(input: unknown, existing: ShopConfig | null): unknown {
  if (!existing || typeof input !== "object" || input === null) return input;
  const file = input as { networks?: Record<string, unknown> };
  if (typeof file.networks !== "object" || file.networks === null) return input;
  const networksOut: Record<string, unknown> = { ...file.networks };
  for (const connected of existing.networks) {
    const block = networksOut[connected.definition.id];
    if (typeof block !== "object" || block === null) continue;
    const filled: Record<string, unknown> = { ...(block as Record<string, unknown>) };
    for (const field of secretFieldKeys(connected.definition)) {
      if (filled[field] === undefined || filled[field] === "") filled[field] = connected.settings[field];
    }
    networksOut[connected.definition.id] = filled;
  }
  return { ...file, networks: networksOut };
}

/** The settings file for a shop. Secrets are blank unless includeSecrets (the operator's command line only). */
export async function exportSettingsFile(db: Db, shop: string, options: { includeSecrets?: boolean } = {}): Promise<SettingsFile> {
  const config = await loadShopConfig(db, shop);
  if (!config) throw new SettingsError(`no settings stored for ${shop}`);
  const networksOut: Record<string, unknown> = {};
  for (const connected of config.networks) {
    const settings: Record<string, unknown> = { ...connected.settings };
    if (!options.includeSecrets) for (const field of secretFieldKeys(connected.definition)) settings[field] = "";
    networksOut[connected.definition.id] = settings;
  }
  return {
    currency: config.currencyMode,
    sendTestOrders: config.sendTestOrders,
    consentGating: config.consentGating,
    networks: networksOut,
  } as SettingsFile;
}

/** 401/403 from a network: keys rejected. Only for the credentials version the delivery was made with. */
export async function markCredentialsRejected(db: Db, shop: string, network: string, credentialsVersion: number, reason: string) {
  await db.networkConnection.updateMany({
    where: { shop, network, credentialsVersion },
    data: { credentialsStatus: "rejected", credentialsError: reason.slice(0, 500), credentialsCheckedAt: new Date() },
  });
}

export async function markCredentialsOk(db: Db, shop: string, network: string, credentialsVersion: number) {
  await db.networkConnection.updateMany({
    where: { shop, network, credentialsVersion, NOT: { credentialsStatus: "ok" } },
    data: { credentialsStatus: "ok", credentialsError: null, credentialsCheckedAt: new Date() },
  });
}

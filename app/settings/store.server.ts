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

/**
 * A stored network block that its schema no longer accepts (an older release's values, a field made required):
 * shown to the merchant to fix (app/admin/network-forms.server.ts) and replaced by the next valid save. `stored` is
 * what the row holds, secrets decrypted: never send it to a browser or a log.
 */
export interface InvalidConnection {
  definition: AnyNetworkDefinition;
  enabled: boolean;
  stored: Record<string, unknown>;
  message: string;
}

export interface StoredSettings {
  /** The shop's settings without the invalid blocks. */
  config: ShopConfig;
  invalid: InvalidConnection[];
}

function readConnection(
  definition: AnyNetworkDefinition,
  row: { shop: string; enabled: boolean; publicConfig: string; secretCiphertext: string | null },
): { ok: true; settings: AnySettings } | { ok: false; stored: Record<string, unknown>; message: string } {
  const secrets = row.secretCiphertext ? (JSON.parse(open(row.secretCiphertext, undefined, aadFor(row.shop, definition.id))) as object) : {};
  const candidate = { ...(JSON.parse(row.publicConfig) as object), ...secrets, enabled: row.enabled };
  const parsed = definition.settingsSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, settings: parsed.data };
  return { ok: false, stored: candidate, message: `stored ${definition.label} settings are no longer valid: ${oneLineZodError(parsed.error)}` };
}

/** The shop's settings, with the blocks its networks' schemas refuse set apart instead of failing. */
export async function loadStoredSettings(db: Db, shop: string): Promise<StoredSettings | null> {
  const row = await db.shop.findUnique({ where: { domain: shop }, include: { connections: true } });
  if (!row) return null;
  const connected: ConnectedNetwork[] = [];
  const invalid: InvalidConnection[] = [];
  for (const connection of row.connections) {
    const definition = networkById(connection.network);
    if (!definition) continue; // a network this version no longer ships
    const read = readConnection(definition, connection);
    if (!read.ok) {
      invalid.push({ definition, enabled: connection.enabled, stored: read.stored, message: read.message });
      continue;
    }
    connected.push({
      definition,
      settings: read.settings,
      enabled: connection.enabled,
      credentialsVersion: connection.credentialsVersion,
      credentialsStatus: connection.credentialsStatus as CredentialsStatus,
      credentialsError: connection.credentialsError,
    });
  }
  const config: ShopConfig = {
    shop,
    currencyMode: row.currencyMode === "presentment" ? "presentment" : "shop",
    sendTestOrders: row.sendTestOrders,
    consentGating: row.consentGating,
    networks: connected,
  };
  return { config, invalid };
}

/** The shop's settings; throws a SettingsError when a stored block is invalid (deliveries must not guess). */
export async function loadShopConfig(db: Db, shop: string): Promise<ShopConfig | null> {
  const stored = await loadStoredSettings(db, shop);
  if (stored?.invalid.length) throw new SettingsError(stored.invalid[0]!.message);
  return stored?.config ?? null;
}

/**
 * Validates and stores a settings file (PRODUCT.md "Settings file"). A blank secret keeps the stored one, so an
 * export (which never carries secrets unless asked) can be edited and imported again. Invalid input throws a
 * SettingsError and changes nothing.
 */
export async function saveSettingsFile(db: Db, shop: string, input: unknown): Promise<ShopConfig> {
  // Invalid stored blocks do not stop a save: they are what a merchant saves to fix (their secrets are kept too).
  const existing = await loadStoredSettings(db, shop);
  const previousSettings = new Map<string, Record<string, unknown>>([
    ...(existing?.config.networks.map((n) => [n.definition.id, n.settings] as const) ?? []),
    ...(existing?.invalid.map((n) => [n.definition.id, n.stored] as const) ?? []),
  ]);
  const merged = mergeStoredSecrets(input, previousSettings);
  const parsed = settingsFileSchema.safeParse(merged);
  if (!parsed.success) throw new SettingsError(oneLineZodError(parsed.error));
  const file = parsed.data;

  const writes = [];
  for (const definition of networks) {
    const settings = (file.networks as Record<string, AnySettings | undefined>)[definition.id];
    if (!settings) continue;
    const { secrets, publicConfig } = splitSecrets(definition, settings);
    const previous = previousSettings.get(definition.id);
    const credentialsChanged = !previous || fingerprint(previous) !== fingerprint(settings);
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
  return (await loadStoredSettings(db, shop))!.config;
}

/** Credentials identity: everything but the on/off switch. A change means the keys may work again. */
function fingerprint(settings: Record<string, unknown>): string {
  const { enabled: _enabled, ...rest } = settings;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

function mergeStoredSecrets(input: unknown, stored: ReadonlyMap<string, Record<string, unknown>>): unknown {
  if (!stored.size || typeof input !== "object" || input === null) return input;
  const file = input as { networks?: Record<string, unknown> };
  if (typeof file.networks !== "object" || file.networks === null) return input;
  const networksOut: Record<string, unknown> = { ...file.networks };
  for (const [id, settings] of stored) {
    const definition = networkById(id)!;
    const block = networksOut[id];
    if (typeof block !== "object" || block === null) continue;
    const filled: Record<string, unknown> = { ...(block as Record<string, unknown>) };
    for (const field of secretFieldKeys(definition)) {
      if ((filled[field] === undefined || filled[field] === "") && settings[field] !== undefined) filled[field] = settings[field];
    }
    networksOut[id] = filled;
  }
  return { ...file, networks: networksOut };
}

/** The settings file for a shop. Secrets are blank unless includeSecrets (the operator's command line only). */
export async function exportSettingsFile(
  db: Db,
  shop: string,
  options: { includeSecrets?: boolean; /** Leave out stored blocks that are invalid instead of refusing. */ withoutInvalid?: boolean } = {},
): Promise<SettingsFile> {
  const stored = await loadStoredSettings(db, shop);
  if (!stored) throw new SettingsError(`no settings stored for ${shop}`);
  if (stored.invalid.length && !options.withoutInvalid) throw new SettingsError(stored.invalid[0]!.message);
  const config = stored.config;
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

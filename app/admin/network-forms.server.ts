// The networks page on the server: each network's card from its definition and the shop's stored settings, and
// the two things a merchant does there (save, test connection). Secrets are decrypted here only to keep them when
// a field is left blank and to hand them to the network's own check; what leaves this module holds none of them.
import { secretFieldKeys } from "../networks/fields.ts";
import type { Db } from "../db/client.server.ts";
import type { AnyNetworkDefinition } from "../networks/registry.ts";
import type { CredentialsCheck } from "../networks/types.ts";
import { saveSettingsAndSyncStorefront } from "../settings/save-and-sync.server.ts";
import { exportSettingsFile, loadStoredSettings, SettingsError, type StoredSettings } from "../settings/store.server.ts";
import { ENABLED_FIELD, type CredentialsStatus, type NetworkActionResult, type NetworkCardView } from "./network-forms.ts";

/** Below this length, even the last four characters would give away too much of a secret. */
const LAST_FOUR_MIN_LENGTH = 12;
const CHECK_TIMEOUT_MS = 15_000;

const status = (value: string): CredentialsStatus => (value === "ok" || value === "rejected" ? value : "unverified");

export async function loadNetworkCards(db: Db, shop: string, definitions: readonly AnyNetworkDefinition[]): Promise<NetworkCardView[]> {
  const [stored, rows] = await Promise.all([
    loadStoredSettings(db, shop),
    db.networkConnection.findMany({ where: { shop }, select: { network: true, credentialsCheckedAt: true, credentialsStatus: true, credentialsError: true } }),
  ]);
  return definitions.map((definition) => {
    const connected = stored?.config.networks.find((n) => n.definition.id === definition.id);
    const invalid = stored?.invalid.find((n) => n.definition.id === definition.id);
    const row = rows.find((r) => r.network === definition.id);
    const settings = connected?.settings ?? invalid?.stored;
    // What is wrong with a stored block the schema refuses, field by field, so the merchant can fix it here.
    const problem = invalid ? validate(definition, invalid.stored) : null;
    return {
      id: definition.id,
      label: definition.label,
      configured: Boolean(settings),
      enabled: connected?.enabled ?? invalid?.enabled ?? false,
      credentialsStatus: row && settings ? status(row.credentialsStatus) : null,
      credentialsError: settings ? (row?.credentialsError ?? null) : null,
      credentialsCheckedAt: row?.credentialsCheckedAt?.toISOString() ?? null,
      canCheckCredentials: typeof definition.checkCredentials === "function",
      storedProblem:
        invalid && problem && !problem.ok
          ? { message: invalid.message, fieldErrors: problem.fieldErrors, formError: problem.formError }
          : null,
      fields: definition.fields.map((field) => {
        const stored = settings?.[field.key];
        if (!field.secret) {
          return { ...field, value: stored === undefined || stored === null ? "" : String(stored), stored: null };
        }
        const text = typeof stored === "string" ? stored : "";
        return {
          ...field,
          value: "",
          stored: text ? { set: true, lastFour: text.length >= LAST_FOUR_MIN_LENGTH ? text.slice(-4) : null } : { set: false },
        };
      }),
    };
  });
}

/** The network's settings block from the submitted form: numbers for number fields, blank secrets kept blank. */
function blockFromForm(definition: AnyNetworkDefinition, form: FormData): Record<string, unknown> {
  const block: Record<string, unknown> = { enabled: form.get(ENABLED_FIELD) === "on" };
  for (const field of definition.fields) {
    const raw = form.get(field.key);
    const text = typeof raw === "string" ? raw.trim() : "";
    if (field.input === "number") {
      // Blank takes the network's default; anything else goes to its schema, which says what is wrong with it.
      if (text !== "") block[field.key] = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    } else {
      block[field.key] = text;
    }
  }
  return block;
}

/** A blank secret means "keep the stored one", as in a settings file (app/settings/store.server.ts). */
function withStoredSecrets(definition: AnyNetworkDefinition, block: Record<string, unknown>, settings: StoredSettings | null) {
  const stored =
    settings?.config.networks.find((n) => n.definition.id === definition.id)?.settings ?? settings?.invalid.find((n) => n.definition.id === definition.id)?.stored;
  const filled = { ...block };
  for (const key of secretFieldKeys(definition)) if (filled[key] === "" && stored?.[key]) filled[key] = stored[key];
  return filled;
}

type Validated = { ok: true; settings: { enabled: boolean } & Record<string, unknown> } | { ok: false; fieldErrors: Record<string, string>; formError: string | null };

function validate(definition: AnyNetworkDefinition, block: Record<string, unknown>): Validated {
  const parsed = definition.settingsSchema.safeParse(block);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const fieldErrors: Record<string, string> = {};
  const general: string[] = [];
  const known = new Set<string>([ENABLED_FIELD, ...definition.fields.map((field) => field.key)]);
  for (const issue of parsed.error.issues) {
    const key = issue.path[0];
    if (typeof key === "string" && known.has(key)) fieldErrors[key] ??= issue.message;
    else general.push(issue.message);
  }
  return { ok: false, fieldErrors, formError: general.length ? general.join("; ") : null };
}

export async function saveNetworkForm(db: Db, shop: string, definition: AnyNetworkDefinition, form: FormData): Promise<NetworkActionResult> {
  const config = await loadStoredSettings(db, shop);
  const block = blockFromForm(definition, form);
  const checked = validate(definition, withStoredSecrets(definition, block, config));
  if (!checked.ok) return { intent: "save", network: definition.id, ok: false, fieldErrors: checked.fieldErrors, formError: checked.formError };
  // The shop's whole settings file with this block replaced; other networks' blank secrets are kept by the store.
  // Other networks' invalid blocks are left out, so their rows stay as they are until they are fixed in turn.
  const current = config ? await exportSettingsFile(db, shop, { withoutInvalid: true }) : { networks: {} };
  const file = { ...current, networks: { ...current.networks, [definition.id]: block } };
  try {
    const saved = await saveSettingsAndSyncStorefront(db, shop, file);
    return { intent: "save", network: definition.id, ok: true, storefront: saved.storefront };
  } catch (error) {
    if (error instanceof SettingsError) return { intent: "save", network: definition.id, ok: false, fieldErrors: {}, formError: error.message };
    throw error;
  }
}

export async function testNetworkForm(db: Db, shop: string, definition: AnyNetworkDefinition, form: FormData): Promise<NetworkActionResult> {
  if (!definition.checkCredentials) {
    const check: CredentialsCheck = {
      outcome: "unverified",
      message: `${definition.label} offers no way to check keys without reporting an order, so nothing was sent. The keys are checked when the first order is delivered; a rejection shows here and on the home page.`,
    };
    return { intent: "test", network: definition.id, ok: true, check };
  }
  const config = await loadStoredSettings(db, shop);
  // A test is about the keys: check them as if the network were switched on, so blank required fields are named.
  const block = { ...blockFromForm(definition, form), enabled: true };
  const checked = validate(definition, withStoredSecrets(definition, block, config));
  if (!checked.ok) return { intent: "test", network: definition.id, ok: false, fieldErrors: checked.fieldErrors, formError: checked.formError };
  try {
    const check = await definition.checkCredentials(checked.settings, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    return { intent: "test", network: definition.id, ok: true, check };
  } catch (error) {
    const reason = error instanceof Error && error.name === "TimeoutError" ? "it did not answer in time" : "the request could not be completed";
    return {
      intent: "test",
      network: definition.id,
      ok: true,
      check: { outcome: "unverified", message: `${definition.label} could not be asked: ${reason}. Nothing about the keys is known yet; try again later.` },
    };
  }
}

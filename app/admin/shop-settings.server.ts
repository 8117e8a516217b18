// The settings page on the server: the shop's options, click windows, the settings file out and in (secrets
// blank on export; blank secrets on import keep the stored ones), and the customer data requests received.
import type { Db } from "../db/client.server.ts";
import { networkById, type AnyNetworkDefinition } from "../networks/registry.ts";
import { saveSettingsAndSyncStorefront } from "../settings/save-and-sync.server.ts";
import { exportSettingsFile, loadStoredSettings, SettingsError } from "../settings/store.server.ts";
import type { ClickWindow, DataRequestView, SettingsActionResult, SettingsPage, ShopOptions } from "./shop-settings.ts";

const DATA_REQUESTS_SHOWN = 50;
const MAX_IMPORT_CHARS = 200_000;

function clickWindows(definitions: readonly AnyNetworkDefinition[], settings: Record<string, Record<string, unknown> | undefined>): ClickWindow[] {
  const out: ClickWindow[] = [];
  for (const definition of definitions) {
    const days = definition.storefront?.days;
    if (!days) continue;
    if ("fixed" in days) out.push({ network: definition.id, label: definition.label, days: days.fixed, fixed: true });
    else {
      const value = settings[definition.id]?.[days.setting];
      out.push({ network: definition.id, label: definition.label, days: typeof value === "number" ? value : days.default, fixed: false });
    }
  }
  return out;
}

function dataRequestView(row: { id: string; customerId: string | null; ordersRequested: string; report: string; createdAt: Date }): DataRequestView {
  const requested = (() => {
    try {
      return (JSON.parse(row.ordersRequested) as unknown[]).length;
    } catch {
      return 0;
    }
  })();
  let orders: DataRequestView["orders"] = [];
  try {
    const report = JSON.parse(row.report) as { orders?: Array<{ name?: unknown; customerFieldsHeld?: unknown; sentTo?: unknown }> };
    orders = (report.orders ?? []).map((order) => ({
      name: String(order.name ?? ""),
      customerFieldsHeld: Array.isArray(order.customerFieldsHeld) ? order.customerFieldsHeld.map(String) : [],
      sentTo: Array.isArray(order.sentTo) ? order.sentTo.map((id) => networkById(String(id))?.label ?? String(id)) : [],
    }));
  } catch {
    // An unreadable report shows as holding nothing rather than failing the page.
  }
  return {
    id: row.id,
    receivedAt: row.createdAt.toISOString(),
    customer: row.customerId ? `Customer ${row.customerId}` : "A customer identified by email only",
    ordersRequested: requested,
    orders,
  };
}

export async function loadSettingsPage(db: Db, shop: string, definitions: readonly AnyNetworkDefinition[]): Promise<SettingsPage> {
  const [stored, requests] = await Promise.all([
    loadStoredSettings(db, shop),
    db.dataRequest.findMany({
      where: { shop },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: DATA_REQUESTS_SHOWN,
      select: { id: true, customerId: true, ordersRequested: true, report: true, createdAt: true },
    }),
  ]);
  const config = stored?.config;
  // A network block that no longer validates is left out here; /app/networks shows it to be fixed.
  const file = config ? await exportSettingsFile(db, shop, { withoutInvalid: true }) : null;
  return {
    options: {
      currency: config?.currencyMode ?? "shop",
      sendTestOrders: config?.sendTestOrders ?? false,
      consentGating: config?.consentGating ?? true,
    },
    saved: Boolean(config),
    clickWindows: clickWindows(definitions, (file?.networks ?? {}) as Record<string, Record<string, unknown> | undefined>),
    exportFile: file ? JSON.stringify(file, null, 2) : null,
    dataRequests: requests.map(dataRequestView),
  };
}

async function save(db: Db, shop: string, intent: "options" | "import", input: unknown): Promise<SettingsActionResult> {
  try {
    const saved = await saveSettingsAndSyncStorefront(db, shop, input);
    return { intent, ok: true, storefront: saved.storefront };
  } catch (error) {
    if (error instanceof SettingsError) return { intent, ok: false, error: error.message };
    throw error;
  }
}

export async function saveShopOptions(db: Db, shop: string, options: ShopOptions): Promise<SettingsActionResult> {
  const current = (await loadStoredSettings(db, shop)) ? await exportSettingsFile(db, shop, { withoutInvalid: true }) : { networks: {} };
  return save(db, shop, "options", { ...current, ...options });
}

/** A settings file pasted or uploaded by the merchant: the same schema and rules as `settings import`. */
export async function importSettingsText(db: Db, shop: string, text: string): Promise<SettingsActionResult> {
  if (text.length > MAX_IMPORT_CHARS) return { intent: "import", ok: false, error: "the file is too large to be a settings file" };
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return { intent: "import", ok: false, error: "the file is not JSON: export the settings to see the expected shape" };
  }
  return save(db, shop, "import", input);
}

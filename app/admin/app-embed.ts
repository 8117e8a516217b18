// Whether this app's embed block is switched on in a theme, read from the theme's config/settings_data.json, and
// the theme editor link that opens it ready to switch on. Pure functions: app/admin/app-embed.server.ts fetches.
//
// settings_data.json starts with a /* ... */ comment Shopify writes; `current` is the settings in use, either an
// object or the name of one of `presets`. App embeds live in its `blocks`, keyed by an id Shopify makes, each
// `{ type: "shopify://apps/<app handle>/blocks/<block handle>/<extension uuid>", disabled?: boolean }`. A block
// that was never switched on is absent.

/** The block's file name in extensions/affiliate-relay-embed/blocks/. */
export const APP_EMBED_BLOCK_HANDLE = "app-embed";
/** `handle` in shopify.app.toml. */
export const APP_HANDLE = "affiliate-relay";

export type EmbedStatus =
  | { state: "on"; themeName: string | null }
  | { state: "off"; themeName: string | null; reason: "disabled" | "absent"; deepLink: string }
  | { state: "unknown"; message: string; deepLink: string }
  /** The check is still running (a slow Admin API): the page shows "checking" rather than waiting for it. */
  | { state: "checking"; deepLink: string };

/** The theme editor, on the App embeds panel, with this app's embed selected to switch on. */
export function embedDeepLink(shop: string, apiKey: string): string {
  return `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(apiKey)}/${APP_EMBED_BLOCK_HANDLE}`;
}

/** Removes the leading block comment (and a byte order mark) so JSON.parse can read the rest. */
export function stripLeadingComment(text: string): string {
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  if (!trimmed.startsWith("/*")) return trimmed;
  const end = trimmed.indexOf("*/");
  return end === -1 ? "" : trimmed.slice(end + 2);
}

const BLOCK_TYPE = /^shopify:\/\/apps\/([^/]+)\/blocks\/([^/]+)\/([^/]+)$/;

/**
 * Whether a block type is this app's embed: its block handle, and the extension's uuid when the deployment tells
 * it (SHOPIFY_AFFILIATE_RELAY_EMBED_ID, set by the Shopify CLI), else the app's handle.
 */
export function isThisAppsEmbed(type: unknown, extensionId?: string): boolean {
  if (typeof type !== "string") return false;
  const match = BLOCK_TYPE.exec(type);
  if (!match || match[2] !== APP_EMBED_BLOCK_HANDLE) return false;
  return extensionId ? match[3] === extensionId : match[1] === APP_HANDLE;
}

export type EmbedInTheme = { found: false } | { found: true; disabled: boolean };

export class SettingsDataError extends Error {}

export function findAppEmbed(settingsData: string, extensionId?: string): EmbedInTheme {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripLeadingComment(settingsData));
  } catch {
    throw new SettingsDataError("the theme's config/settings_data.json is not readable JSON");
  }
  if (typeof parsed !== "object" || parsed === null) throw new SettingsDataError("the theme's config/settings_data.json is not an object");
  const data = parsed as { current?: unknown; presets?: Record<string, unknown> };
  const current = typeof data.current === "string" ? data.presets?.[data.current] : data.current;
  const blocks = typeof current === "object" && current !== null ? (current as { blocks?: unknown }).blocks : undefined;
  if (typeof blocks !== "object" || blocks === null) return { found: false };
  for (const block of Object.values(blocks as Record<string, unknown>)) {
    if (typeof block !== "object" || block === null) continue;
    const { type, disabled } = block as { type?: unknown; disabled?: unknown };
    if (isThisAppsEmbed(type, extensionId)) return { found: true, disabled: disabled === true };
  }
  return { found: false };
}

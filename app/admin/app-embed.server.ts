// Reads the live theme's config/settings_data.json through the Admin GraphQL API (read_themes) and says whether
// this app's embed is on. Results are kept for a minute per shop for the banners every page shows; the home page
// asks afresh.
import type { AdminGraphql } from "../shopify/admin-graphql.server.ts";
import { MAIN_THEME_SETTINGS_QUERY } from "../shopify/documents/index.ts";
import { embedDeepLink, findAppEmbed, SettingsDataError, type EmbedStatus } from "./app-embed.ts";

interface MainThemeSettingsData {
  themes: {
    nodes: Array<{
      id: string;
      name: string;
      files: { nodes: Array<{ filename: string; body: { content?: string; contentBase64?: string } | null }> } | null;
    }>;
  } | null;
}

function fileText(body: { content?: string; contentBase64?: string } | null | undefined): string | null {
  if (typeof body?.content === "string") return body.content;
  if (typeof body?.contentBase64 === "string") return Buffer.from(body.contentBase64, "base64").toString("utf8");
  return null;
}

export async function checkAppEmbed(graphql: AdminGraphql, shop: string, apiKey: string, extensionId?: string): Promise<EmbedStatus> {
  const deepLink = embedDeepLink(shop, apiKey);
  let data: MainThemeSettingsData;
  try {
    data = (await graphql<MainThemeSettingsData>(MAIN_THEME_SETTINGS_QUERY)).data;
  } catch (error) {
    return { state: "unknown", message: `the live theme could not be read: ${(error as Error).message}`, deepLink };
  }
  const theme = data.themes?.nodes[0];
  if (!theme) return { state: "unknown", message: "the shop has no published theme", deepLink };
  const text = fileText(theme.files?.nodes.find((file) => file.filename === "config/settings_data.json")?.body);
  // A theme that never saved its settings has no settings_data.json yet: no embed has been switched on there.
  if (text === null) return { state: "off", themeName: theme.name, reason: "absent", deepLink };
  try {
    const embed = findAppEmbed(text, extensionId);
    if (!embed.found) return { state: "off", themeName: theme.name, reason: "absent", deepLink };
    return embed.disabled ? { state: "off", themeName: theme.name, reason: "disabled", deepLink } : { state: "on", themeName: theme.name };
  } catch (error) {
    if (error instanceof SettingsDataError) return { state: "unknown", message: error.message, deepLink };
    throw error;
  }
}

const CACHE_MS = 60_000;
const cache = new Map<string, { at: number; status: EmbedStatus }>();

/** The embed's state, fetched at most once a minute per shop unless `fresh`. */
export async function appEmbedStatus(
  shop: string,
  graphqlFor: () => Promise<AdminGraphql>,
  options: { fresh?: boolean; now?: number } = {},
): Promise<EmbedStatus> {
  const now = options.now ?? Date.now();
  const hit = cache.get(shop);
  if (!options.fresh && hit && now - hit.at < CACHE_MS) return hit.status;
  const apiKey = process.env.SHOPIFY_API_KEY ?? "";
  let status: EmbedStatus;
  try {
    status = await checkAppEmbed(await graphqlFor(), shop, apiKey, process.env.SHOPIFY_AFFILIATE_RELAY_EMBED_ID || undefined);
  } catch (error) {
    status = { state: "unknown", message: `the live theme could not be read: ${(error as Error).message}`, deepLink: embedDeepLink(shop, apiKey) };
  }
  cache.set(shop, { at: now, status });
  return status;
}

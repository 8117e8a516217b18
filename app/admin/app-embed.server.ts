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
/**
 * How long a page waits for the check. The Admin API call may take up to its own timeout (15 s); past this the page
 * renders with the embed "checking" and the check goes on in the background into the cache, so the next page (or a
 * reload) shows the answer.
 */
export const EMBED_CHECK_BUDGET_MS = 1_500;
/** `unseen`: finished after every page waiting for it had rendered "checking"; the next page shows it, even a fresh one. */
const cache = new Map<string, { at: number; status: EmbedStatus; unseen: boolean }>();
/** One check per shop at a time in this process: pages arriving meanwhile wait on the same one. */
const inFlight = new Map<string, { result: Promise<EmbedStatus>; waiting: number }>();

async function runCheck(shop: string, graphqlFor: () => Promise<AdminGraphql>, apiKey: string): Promise<EmbedStatus> {
  try {
    return await checkAppEmbed(await graphqlFor(), shop, apiKey, process.env.SHOPIFY_AFFILIATE_RELAY_EMBED_ID || undefined);
  } catch (error) {
    return { state: "unknown", message: `the live theme could not be read: ${(error as Error).message}`, deepLink: embedDeepLink(shop, apiKey) };
  }
}

/**
 * The embed's state, fetched at most once a minute per shop unless `fresh`; "checking" when the check takes longer
 * than `budgetMs` (it completes into the cache meanwhile).
 */
export async function appEmbedStatus(
  shop: string,
  graphqlFor: () => Promise<AdminGraphql>,
  options: { fresh?: boolean; now?: number; budgetMs?: number } = {},
): Promise<EmbedStatus> {
  const hit = cache.get(shop);
  if (hit?.unseen || (!options.fresh && hit && (options.now ?? Date.now()) - hit.at < CACHE_MS)) {
    hit.unseen = false;
    return hit.status;
  }
  const apiKey = process.env.SHOPIFY_API_KEY ?? "";
  let check = inFlight.get(shop);
  if (!check) {
    const started = options.now ?? Date.now();
    const running: { result: Promise<EmbedStatus>; waiting: number } = { result: Promise.resolve(null as never), waiting: 0 };
    running.result = runCheck(shop, graphqlFor, apiKey).then((status) => {
      cache.set(shop, { at: started, status, unseen: running.waiting === 0 });
      if (inFlight.get(shop) === running) inFlight.delete(shop);
      return status;
    });
    inFlight.set(shop, running);
    check = running;
  }
  const waitingOn = check;
  waitingOn.waiting++;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const checking = new Promise<EmbedStatus>((resolve) => {
    timer = setTimeout(() => {
      waitingOn.waiting--;
      resolve({ state: "checking", deepLink: embedDeepLink(shop, apiKey) });
    }, options.budgetMs ?? EMBED_CHECK_BUDGET_MS);
  });
  try {
    const status = await Promise.race([waitingOn.result, checking]);
    // This page got the answer itself: nothing left unseen.
    if (status.state !== "checking") cache.get(shop)!.unseen = false;
    return status;
  } finally {
    clearTimeout(timer);
  }
}

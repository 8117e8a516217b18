// A loopback stand-in for the Admin GraphQL API's metafield calls, on the shared stand-in
// (devkit/shopify-admin/shopify-admin-api.ts: real schema, tokens and their refresh, query cost), checking what Shopify
// checks: currentAppInstallation, and metafieldsSet's input (owner, namespace, key, type, JSON value), answering
// userErrors the way Shopify does.
import { startShopifyAdminApi, type AdminApiStandIn, type AdminApiStandInOptions } from "./shopify-admin-api.ts";

export const INSTALLATION_ID = "gid://shopify/AppInstallation/987654321";

export interface ReceivedGraphql {
  query: string;
  variables: Record<string, unknown> | undefined;
}

/** The published theme as the stand-in answers `themes(roles: [MAIN])`: its config/settings_data.json text, or none. */
export interface MainTheme {
  name: string;
  settingsData: string | null;
}

export interface MetafieldsAdminApi {
  origin: string;
  /** null: the shop has no published theme. */
  mainTheme: MainTheme | null;
  /** The shared stand-in underneath: tokens, refreshes, every request with its outcome. */
  api: AdminApiStandIn;
  /** Requests that carried a valid access token. */
  received: ReceivedGraphql[];
  metafields: Map<string, { value: string; type: string }>;
  refuseWith: null | { field: string[]; message: string; code: string };
  reset(): void;
  close(): Promise<void>;
}

interface MetafieldsSetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
}

function metafieldsSetErrors(input: MetafieldsSetInput, index: number) {
  const errors: Array<{ field: string[]; message: string; code: string }> = [];
  const field = (name: string) => ["metafields", String(index), name];
  if (input.ownerId !== INSTALLATION_ID) errors.push({ field: field("ownerId"), message: "Owner does not exist.", code: "INVALID" });
  if (typeof input.namespace !== "string" || !/^[A-Za-z0-9_-]{3,255}$/.test(input.namespace)) {
    errors.push({ field: field("namespace"), message: "Namespace is invalid.", code: "INVALID" });
  }
  if (!/^[A-Za-z0-9_-]{2,64}$/.test(input.key)) errors.push({ field: field("key"), message: "Key is invalid.", code: "INVALID" });
  if (input.type !== "json") errors.push({ field: field("type"), message: "Type is not json.", code: "INVALID_TYPE" });
  try {
    JSON.parse(input.value);
  } catch {
    errors.push({ field: field("value"), message: "Value is invalid JSON.", code: "INVALID_VALUE" });
  }
  return errors;
}

/** `accessTokens` are accepted without expiry; issue expiring ones through `api.issueTokens()`. */
export async function startMetafieldsAdminApi(accessTokens: string | string[] = [], options: Pick<AdminApiStandInOptions, "clock"> = {}): Promise<MetafieldsAdminApi> {
  const metafields = new Map<string, { value: string; type: string }>();
  let refuseWith: MetafieldsAdminApi["refuseWith"] = null;
  let mainTheme: MainTheme | null = { name: "Dawn", settingsData: null };
  // The live theme's settings file (read_themes): the files connection holds only the files that exist.
  const themes = () => ({
    nodes: mainTheme
      ? [
          {
            id: "gid://shopify/OnlineStoreTheme/140000000001",
            name: mainTheme.name,
            files: () => ({
              nodes:
                mainTheme?.settingsData === null || mainTheme === null
                  ? []
                  : [{ filename: "config/settings_data.json", body: { __typename: "OnlineStoreThemeFileBodyText", content: mainTheme.settingsData } }],
            }),
          },
        ]
      : [],
  });
  const api = await startShopifyAdminApi({
    ...options,
    permanentTokens: typeof accessTokens === "string" ? [accessTokens] : accessTokens,
    query: { currentAppInstallation: () => ({ id: INSTALLATION_ID }), themes },
    mutation: {
      metafieldsSet: ({ metafields: inputs }: { metafields: MetafieldsSetInput[] }) => {
        const userErrors = inputs.flatMap(metafieldsSetErrors);
        if (refuseWith) userErrors.push(refuseWith);
        if (userErrors.length) return { metafields: null, userErrors };
        for (const input of inputs) metafields.set(`${input.namespace}.${input.key}`, { value: input.value, type: String(input.type) });
        return { metafields: inputs.map((_, i) => ({ id: `gid://shopify/Metafield/${i + 1}` })), userErrors: [] };
      },
    },
  });
  return {
    origin: api.origin,
    api,
    get received() {
      return api.graphqlRequests.filter((r) => r.outcome !== "unauthorized").map((r) => ({ query: r.query, variables: r.variables }));
    },
    metafields,
    get mainTheme() {
      return mainTheme;
    },
    set mainTheme(value) {
      mainTheme = value;
    },
    get refuseWith() {
      return refuseWith;
    },
    set refuseWith(value) {
      refuseWith = value;
    },
    reset() {
      api.graphqlRequests.length = 0;
      api.refreshRequests.length = 0;
      metafields.clear();
      refuseWith = null;
      mainTheme = { name: "Dawn", settingsData: null };
    },
    close: () => api.close(),
  };
}

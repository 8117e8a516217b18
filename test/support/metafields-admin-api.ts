// A loopback stand-in for the Admin GraphQL API's metafield calls, checking what Shopify checks: the access token,
// the API path, currentAppInstallation, and metafieldsSet's input (owner, namespace, key, type, JSON value),
// answering userErrors the way Shopify does.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { API_VERSION } from "../../app/shopify/api-version.ts";

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
  received: ReceivedGraphql[];
  metafields: Map<string, { value: string; type: string }>;
  refuseWith: null | { field: string[]; message: string; code: string };
  reset(): void;
  close(): Promise<void>;
}

function metafieldsSetErrors(input: Record<string, unknown>, index: number) {
  const errors: Array<{ field: string[]; message: string; code: string }> = [];
  const field = (name: string) => ["metafields", String(index), name];
  if (input.ownerId !== INSTALLATION_ID) errors.push({ field: field("ownerId"), message: "Owner does not exist.", code: "INVALID" });
  if (typeof input.namespace !== "string" || !/^[A-Za-z0-9_-]{3,255}$/.test(input.namespace)) {
    errors.push({ field: field("namespace"), message: "Namespace is invalid.", code: "INVALID" });
  }
  if (typeof input.key !== "string" || !/^[A-Za-z0-9_-]{2,64}$/.test(input.key)) errors.push({ field: field("key"), message: "Key is invalid.", code: "INVALID" });
  if (input.type !== "json") errors.push({ field: field("type"), message: "Type is not json.", code: "INVALID_TYPE" });
  try {
    JSON.parse(String(input.value));
  } catch {
    errors.push({ field: field("value"), message: "Value is invalid JSON.", code: "INVALID_VALUE" });
  }
  return errors;
}

/** `accessToken`: the shop's offline token (or several shops' tokens) the stand-in accepts. */
export async function startMetafieldsAdminApi(accessToken: string | string[]): Promise<MetafieldsAdminApi> {
  const accepted = new Set(Array.isArray(accessToken) ? accessToken : [accessToken]);
  const state = {
    received: [] as ReceivedGraphql[],
    metafields: new Map<string, { value: string; type: string }>(),
    refuseWith: null as MetafieldsAdminApi["refuseWith"],
    mainTheme: { name: "Dawn", settingsData: null } as MainTheme | null,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || req.url !== `/admin/api/${API_VERSION}/graphql.json`) return reply(404, { errors: "Not Found" });
      if (!accepted.has(String(req.headers["x-shopify-access-token"]))) {
        return reply(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      }
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ReceivedGraphql;
      state.received.push({ query, variables });
      if (/^\s*(#graphql\s*)?query\b[\s\S]*currentAppInstallation\s*\{\s*id\s*\}/.test(query)) {
        return reply(200, { data: { currentAppInstallation: { id: INSTALLATION_ID } } });
      }
      if (/mutation\b[\s\S]*\(\$metafields: \[MetafieldsSetInput!\]!\)[\s\S]*metafieldsSet\(metafields: \$metafields\)/.test(query)) {
        const inputs = (variables?.metafields ?? []) as Array<Record<string, unknown>>;
        const userErrors = inputs.flatMap(metafieldsSetErrors);
        if (state.refuseWith) userErrors.push(state.refuseWith);
        if (userErrors.length) return reply(200, { data: { metafieldsSet: { metafields: null, userErrors } } });
        for (const input of inputs) state.metafields.set(`${input.namespace}.${input.key}`, { value: String(input.value), type: String(input.type) });
        return reply(200, { data: { metafieldsSet: { metafields: inputs.map((_, i) => ({ id: `gid://shopify/Metafield/${i + 1}` })), userErrors: [] } } });
      }
      // The live theme's settings file (read_themes): the files connection holds only the files that exist.
      if (/^\s*(#graphql\s*)?query\b[\s\S]*themes\(first: 1, roles: \[MAIN\]\)[\s\S]*files\(filenames: \["config\/settings_data.json"\]/.test(query)) {
        const theme = state.mainTheme;
        const nodes = theme
          ? [
              {
                id: "gid://shopify/OnlineStoreTheme/140000000001",
                name: theme.name,
                files: { nodes: theme.settingsData === null ? [] : [{ filename: "config/settings_data.json", body: { content: theme.settingsData } }] },
              },
            ]
          : [];
        return reply(200, { data: { themes: { nodes } } });
      }
      return reply(200, { errors: [{ message: "stand-in: unexpected operation" }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const api: MetafieldsAdminApi = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get received() {
      return state.received;
    },
    get metafields() {
      return state.metafields;
    },
    get mainTheme() {
      return state.mainTheme;
    },
    set mainTheme(value) {
      state.mainTheme = value;
    },
    get refuseWith() {
      return state.refuseWith;
    },
    set refuseWith(value) {
      state.refuseWith = value;
    },
    reset() {
      state.received.length = 0;
      state.metafields.clear();
      state.refuseWith = null;
      state.mainTheme = { name: "Dawn", settingsData: null };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return api;
}

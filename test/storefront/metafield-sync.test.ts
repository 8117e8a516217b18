// syncStorefrontConfig against a loopback stand-in for the Admin GraphQL API that checks what Shopify checks:
// the access token, the API path, currentAppInstallation, and metafieldsSet's input (owner, namespace, key, type,
// JSON value), answering userErrors the way Shopify does.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { STOREFRONT_METAFIELD, StorefrontConfigError, type StorefrontConfig } from "../../app/storefront/config.ts";
import { StorefrontSyncError, syncStorefrontConfig } from "../../app/storefront/metafield-sync.server.ts";
import { adminGraphqlFor, AdminApiError } from "../../app/shopify/admin-graphql.server.ts";
import { API_VERSION } from "../../app/shopify/api-version.ts";

const SHOP = "relay-test.myshopify.com";
const TOKEN = "shpat_test_offline_token";
const INSTALLATION_ID = "gid://shopify/AppInstallation/987654321";

interface Received {
  query: string;
  variables: Record<string, unknown> | undefined;
}

const admin = {
  received: [] as Received[],
  metafields: new Map<string, { value: string; type: string }>(),
  refuseWith: null as null | { field: string[]; message: string; code: string },
};

const config: StorefrontConfig = {
  consentGating: true,
  refersion: { enabled: true, publicKey: "pub_ee6ba2b9f9295e53f4eb" },
  retrack: { enabled: false, cookieDays: 10 },
  flexoffers: { enabled: true, cookieDays: 30 },
};

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

let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || req.url !== `/admin/api/${API_VERSION}/graphql.json`) return reply(404, { errors: "Not Found" });
      if (req.headers["x-shopify-access-token"] !== TOKEN) return reply(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Received;
      admin.received.push({ query, variables });
      if (/^\s*(#graphql\s*)?query\b[\s\S]*currentAppInstallation\s*\{\s*id\s*\}/.test(query)) {
        return reply(200, { data: { currentAppInstallation: { id: INSTALLATION_ID } } });
      }
      if (/mutation\b[\s\S]*\(\$metafields: \[MetafieldsSetInput!\]!\)[\s\S]*metafieldsSet\(metafields: \$metafields\)/.test(query)) {
        const inputs = (variables?.metafields ?? []) as Array<Record<string, unknown>>;
        const userErrors = inputs.flatMap(metafieldsSetErrors);
        if (admin.refuseWith) userErrors.push(admin.refuseWith);
        if (userErrors.length) return reply(200, { data: { metafieldsSet: { metafields: null, userErrors } } });
        for (const input of inputs) admin.metafields.set(`${input.namespace}.${input.key}`, { value: String(input.value), type: String(input.type) });
        return reply(200, { data: { metafieldsSet: { metafields: inputs.map((_, i) => ({ id: `gid://shopify/Metafield/${i + 1}` })), userErrors: [] } } });
      }
      return reply(200, { errors: [{ message: "stand-in: unexpected operation" }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.env.SHOPIFY_ADMIN_API_ORIGIN = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  admin.received.length = 0;
  admin.metafields.clear();
  admin.refuseWith = null;
});

describe("syncStorefrontConfig", () => {
  it("writes the configuration as a json app-data metafield owned by the current app installation", async () => {
    await syncStorefrontConfig(adminGraphqlFor(SHOP, TOKEN), config);
    expect(admin.received).toHaveLength(2);
    expect(admin.received[1]!.variables).toEqual({
      metafields: [{ ownerId: INSTALLATION_ID, namespace: "affiliate_relay", key: "config", type: "json", value: JSON.stringify(config) }],
    });
    const stored = admin.metafields.get(`${STOREFRONT_METAFIELD.namespace}.${STOREFRONT_METAFIELD.key}`);
    expect(stored?.type).toBe("json");
    expect(JSON.parse(stored!.value)).toEqual(config);
  });

  it("surfaces Shopify's userErrors as an error naming the field", async () => {
    admin.refuseWith = { field: ["metafields", "0", "value"], message: "Value exceeds the maximum size.", code: "INVALID_VALUE" };
    const sync = syncStorefrontConfig(adminGraphqlFor(SHOP, TOKEN), config);
    await expect(sync).rejects.toThrow(StorefrontSyncError);
    await expect(syncStorefrontConfig(adminGraphqlFor(SHOP, TOKEN), config)).rejects.toThrow(
      "Shopify refused the storefront configuration: metafields.0.value: Value exceeds the maximum size.",
    );
    expect(admin.metafields.size).toBe(0);
  });

  it("fails on a rejected access token without writing anything", async () => {
    await expect(syncStorefrontConfig(adminGraphqlFor(SHOP, "shpat_wrong"), config)).rejects.toThrow(AdminApiError);
    expect(admin.metafields.size).toBe(0);
  });

  it("refuses an invalid configuration before calling Shopify", async () => {
    const leaky = { ...config, refersion: { ...config.refersion, secretKey: "sec_x" } } as unknown as StorefrontConfig;
    await expect(syncStorefrontConfig(adminGraphqlFor(SHOP, TOKEN), leaky)).rejects.toThrow(StorefrontConfigError);
    expect(admin.received).toHaveLength(0);
  });
});

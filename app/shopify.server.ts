// The app's Shopify wiring, as in Shopify's Remix app template.
import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { PrismaClient } from "@prisma/client";
import { LogSeverity, type Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { db, type Db } from "./db/client.server.ts";
import { log } from "./observability/log.server.ts";
import { installAdminApiFetch } from "./shopify/admin-api-origin.server.ts";
import { API_VERSION } from "./shopify/api-version.ts";
import { customDomainTransformations, customShopDomain } from "./shopify/shop-domain.ts";

export { API_VERSION };

// After the library's own adapter (imported above) has set its fetch: no redirects, and the tests' stand-in.
installAdminApiFetch();

// Created on first use, so that importing this module (routes, CLI, tests) never opens a database by itself; and
// always on the current db(), which the CLI, the worker and tests may point elsewhere (setDb).
class LazyPrismaSessionStorage implements SessionStorage {
  private bound: { client: Db; storage: PrismaSessionStorage<PrismaClient> } | undefined;
  private get storage() {
    const client = db();
    if (this.bound?.client !== client) {
      // The package is typed against the default client; ours is generated elsewhere with the same Session model.
      this.bound = { client, storage: new PrismaSessionStorage(client as unknown as PrismaClient) };
    }
    return this.bound.storage;
  }
  storeSession(session: Session) {
    return this.storage.storeSession(session);
  }
  loadSession(id: string) {
    return this.storage.loadSession(id);
  }
  deleteSession(id: string) {
    return this.storage.deleteSession(id);
  }
  deleteSessions(ids: string[]) {
    return this.storage.deleteSessions(ids);
  }
  findSessionsByShop(shop: string) {
    return this.storage.findSessionsByShop(shop);
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (see README.md, Configuration)`);
  return value;
}

const shopify = shopifyApp({
  apiKey: required("SHOPIFY_API_KEY"),
  apiSecretKey: required("SHOPIFY_API_SECRET"),
  appUrl: required("SHOPIFY_APP_URL"),
  apiVersion: API_VERSION,
  scopes: process.env.SCOPES?.split(","),
  authPathPrefix: "/auth",
  sessionStorage: new LazyPrismaSessionStorage(),
  distribution: AppDistribution.AppStore,
  // Token exchange with Shopify-managed installation (as the app template does): no OAuth redirects in the admin.
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
  // SHOP_CUSTOM_DOMAIN (app/shopify/shop-domain.ts explains why a transformation).
  domainTransformations: customDomainTransformations(customShopDomain()),
  // The library's own lines go through the app's JSON logger (app/observability/log.server.ts), so that every line
  // a process writes is one JSON object with its level, as operators' log pipelines and test/observability expect.
  logger: { log: shopifyLibraryLine, level: LogSeverity.Info, httpRequests: false },
});

function shopifyLibraryLine(severity: LogSeverity, message: string): void {
  const logger = log().child({ component: "shopify-api" });
  if (severity === LogSeverity.Error) logger.error(message);
  else if (severity === LogSeverity.Warning) logger.warn(message);
  else if (severity === LogSeverity.Info) logger.info(message);
  else logger.debug(message);
}

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;

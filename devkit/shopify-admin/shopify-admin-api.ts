// A loopback stand-in for a shop's Admin API, as Shopify's library talks to it (SHOPIFY_ADMIN_API_ORIGIN points
// the library's requests here, app/shopify/admin-api-origin.server.ts):
// - POST /admin/oauth/access_token with grant_type refresh_token: the app's client id and secret and a refresh
//   token buy a new access token (valid one hour) and a new refresh token. The refresh token just used stays good
//   until the new access token is first used, as Shopify keeps it.
// - POST /admin/api/<API_VERSION>/graphql.json: the access token must be known and unexpired (else 401). The
//   document is validated and run against Shopify's real schema for that version (devkit/shopify-admin/admin-schema.ts)
//   with the caller's resolvers; a query whose requested cost (devkit/shopify-admin/graphql-cost.ts) is above 1,000 is
//   refused as Shopify refuses it, and a leaky bucket answers THROTTLED when the cost is not available yet.
//   Every answer carries extensions.cost with the bucket's throttleStatus.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { execute, Kind, parse, validate, type DocumentNode, type GraphQLError } from "graphql";
import { API_VERSION } from "../../app/shopify/api-version.ts";
import { adminSchema } from "./admin-schema.ts";
import { requestedQueryCost, SINGLE_QUERY_LIMIT } from "./graphql-cost.ts";

const HOUR_MS = 3_600_000;
const INVALID_TOKEN = { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" };

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires. */
  expires: Date;
  refreshTokenExpires: Date;
}

/** The session row Shopify's Prisma session storage keeps for these tokens (test databases seed it). */
export function offlineSessionRow(shop: string, tokens: IssuedTokens | string) {
  const issued = typeof tokens === "string" ? { accessToken: tokens } : tokens;
  return {
    id: `offline_${shop}`,
    shop,
    state: "",
    isOnline: false,
    scope: process.env.SCOPES ?? "read_orders",
    accessToken: issued.accessToken,
    ...(typeof tokens === "string" ? {} : { expires: tokens.expires, refreshToken: tokens.refreshToken, refreshTokenExpires: tokens.refreshTokenExpires }),
  };
}

export interface GraphqlRequest {
  token: string | undefined;
  query: string;
  variables: Record<string, unknown>;
  requestedCost: number | null;
  outcome: "ok" | "refused" | "throttled" | "unauthorized";
}

export interface AdminApiStandInOptions {
  /** Access tokens accepted from the start without expiry (the offline tokens of before expiring tokens). */
  permanentTokens?: string[];
  /** Resolvers: the root values for queries and mutations (graphql-js calls a function property with the field's arguments). */
  query?: Record<string, unknown>;
  mutation?: Record<string, unknown>;
  /** Milliseconds; the bucket and the tokens' expiry follow it. */
  clock?: () => number;
  bucket?: { maximumAvailable: number; restoreRate: number };
}

export interface AdminApiStandIn {
  origin: string;
  graphqlRequests: GraphqlRequest[];
  refreshRequests: Array<{ body: Record<string, unknown>; status: number }>;
  /** Issues tokens as an install would; `expiresInMs` may be negative for a token already expired. */
  issueTokens(options?: { expiresInMs?: number }): IssuedTokens;
  /** The tokens issued by the latest refresh. */
  latestTokens(): IssuedTokens | null;
  /** Points available in the bucket now. */
  available(): number;
  setBucket(bucket: { maximumAvailable: number; restoreRate: number; currentlyAvailable?: number }): void;
  close(): Promise<void>;
}

export async function startShopifyAdminApi(options: AdminApiStandInOptions): Promise<AdminApiStandIn> {
  const clock = options.clock ?? Date.now;
  const clientId = process.env.SHOPIFY_API_KEY;
  const clientSecret = process.env.SHOPIFY_API_SECRET;
  if (!clientId || !clientSecret) throw new Error("the stand-in checks the app's SHOPIFY_API_KEY and SHOPIFY_API_SECRET: set them");
  const schema = adminSchema(API_VERSION);

  const accessTokens = new Map<string, { expiresAt: number; used: boolean; replaces?: string }>();
  for (const token of options.permanentTokens ?? []) accessTokens.set(token, { expiresAt: Number.POSITIVE_INFINITY, used: true });
  const refreshTokens = new Map<string, number>(); // refresh token -> expiry
  let latest: IssuedTokens | null = null;

  let bucket = { maximumAvailable: 2000, restoreRate: 100, ...options.bucket };
  let level = bucket.maximumAvailable;
  let levelAt = clock();
  const available = () => {
    const now = clock();
    level = Math.min(bucket.maximumAvailable, level + ((now - levelAt) / 1000) * bucket.restoreRate);
    levelAt = now;
    return level;
  };
  const throttleStatus = () => ({ maximumAvailable: bucket.maximumAvailable, currentlyAvailable: Math.floor(available()), restoreRate: bucket.restoreRate });

  const token = () => `shpat_${randomBytes(12).toString("hex")}`;
  const issueTokens = (expiresInMs = HOUR_MS, replaces?: string): IssuedTokens => {
    const issued = {
      accessToken: token(),
      refreshToken: `shprt_${randomBytes(12).toString("hex")}`,
      expires: new Date(clock() + expiresInMs),
      refreshTokenExpires: new Date(clock() + 90 * 24 * HOUR_MS),
    };
    accessTokens.set(issued.accessToken, { expiresAt: issued.expires.getTime(), used: false, replaces });
    refreshTokens.set(issued.refreshToken, issued.refreshTokenExpires.getTime());
    return issued;
  };

  const graphqlRequests: GraphqlRequest[] = [];
  const refreshRequests: AdminApiStandIn["refreshRequests"] = [];
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  function refresh(body: Record<string, unknown>): { status: number; body: unknown } {
    if (body.client_id !== clientId || body.client_secret !== clientSecret) return { status: 401, body: { error: "invalid_client", error_description: "Client authentication failed" } };
    if (body.grant_type !== "refresh_token") return { status: 400, body: { error: "unsupported_grant_type" } };
    const refreshToken = String(body.refresh_token ?? "");
    const expiry = refreshTokens.get(refreshToken);
    if (expiry === undefined || expiry <= clock()) return { status: 400, body: { error: "invalid_grant", error_description: "The refresh token is invalid or has expired" } };
    const issued = issueTokens(HOUR_MS, refreshToken);
    latest = issued;
    return {
      status: 200,
      body: {
        access_token: issued.accessToken,
        scope: process.env.SCOPES ?? "read_orders",
        expires_in: HOUR_MS / 1000,
        refresh_token: issued.refreshToken,
        refresh_token_expires_in: (issued.refreshTokenExpires.getTime() - clock()) / 1000,
      },
    };
  }

  function parsed(query: string): DocumentNode | readonly GraphQLError[] {
    let document = documents.get(query);
    if (!document) {
      try {
        const ast = parse(query);
        const errors = validate(schema, ast);
        document = errors.length ? errors : ast;
      } catch (error) {
        document = [error as GraphQLError];
      }
      documents.set(query, document);
    }
    return document;
  }

  async function graphql(tokenHeader: string | undefined, body: { query?: string; variables?: Record<string, unknown>; operationName?: string }) {
    const query = String(body.query ?? "");
    const variables = body.variables ?? {};
    const record: GraphqlRequest = { token: tokenHeader, query, variables, requestedCost: null, outcome: "unauthorized" };
    graphqlRequests.push(record);
    const known = tokenHeader ? accessTokens.get(tokenHeader) : undefined;
    if (!known || known.expiresAt <= clock()) return { status: 401, body: INVALID_TOKEN };
    if (!known.used) {
      known.used = true;
      // Shopify retires the refresh token that bought this access token once the new one is in use.
      if (known.replaces) refreshTokens.delete(known.replaces);
    }
    record.outcome = "refused";
    const document = parsed(query);
    if (!("kind" in document)) return { status: 200, body: { errors: document.map((e) => ({ message: e.message, locations: e.locations })) } };
    const cost = requestedQueryCost(schema, document, variables, body.operationName);
    record.requestedCost = cost;
    if (cost > SINGLE_QUERY_LIMIT) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: `Query cost is ${cost}, which exceeds the single query max cost limit (${SINGLE_QUERY_LIMIT}).`,
              extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost: SINGLE_QUERY_LIMIT },
            },
          ],
        },
      };
    }
    if (cost > available()) {
      record.outcome = "throttled";
      return {
        status: 200,
        body: {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
          extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus() } },
        },
      };
    }
    level -= cost;
    const isMutation = document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === "mutation");
    const rootValue = (isMutation ? options.mutation : options.query) ?? {};
    const result = await execute({ schema, document, rootValue, variableValues: variables, operationName: body.operationName });
    record.outcome = "ok";
    // The stand-in charges what was requested (Shopify refunds unused connection slots afterwards).
    return {
      status: 200,
      body: {
        ...(result.data ? { data: result.data } : {}),
        ...(result.errors?.length ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}),
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: throttleStatus() } },
      },
    };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        return answer(400, { errors: "Bad Request" });
      }
      if (req.method === "POST" && req.url === "/admin/oauth/access_token") {
        const outcome = refresh(body);
        refreshRequests.push({ body, status: outcome.status });
        return answer(outcome.status, outcome.body);
      }
      if (req.method === "POST" && req.url === `/admin/api/${API_VERSION}/graphql.json`) {
        graphql(req.headers["x-shopify-access-token"] as string | undefined, body).then(
          (outcome) => answer(outcome.status, outcome.body),
          (error: unknown) => answer(500, { errors: String(error) }),
        );
        return;
      }
      answer(404, { errors: "Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    graphqlRequests,
    refreshRequests,
    issueTokens: (o = {}) => issueTokens(o.expiresInMs ?? HOUR_MS),
    latestTokens: () => latest,
    available,
    setBucket(next) {
      bucket = { maximumAvailable: next.maximumAvailable, restoreRate: next.restoreRate };
      level = next.currentlyAvailable ?? next.maximumAvailable;
      levelAt = clock();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Shopify's Admin GraphQL schema for an API version, from the introspection the npm package @shopify/dev-mcp
// ships (dist/data/admin_<version>.json.gz), loaded once per process.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { API_VERSION } from "../../app/shopify/api-version.ts";

// The package exports no path to its data: it is a direct devDependency, so npm puts it at the top of node_modules.
const dataDir = path.resolve(import.meta.dirname, "../../node_modules/@shopify/dev-mcp/dist/data");

/** The Admin API versions @shopify/dev-mcp has a schema for ("unstable" aside). */
export function schemaVersions(): string[] {
  return readdirSync(dataDir)
    .map((name) => /^admin_(\d{4}-\d{2})\.json\.gz$/.exec(name)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort();
}

const schemas = new Map<string, GraphQLSchema>();

export function adminSchema(version: string = API_VERSION): GraphQLSchema {
  let schema = schemas.get(version);
  if (!schema) {
    const file = path.join(dataDir, `admin_${version}.json.gz`);
    if (!existsSync(file)) throw new Error(`@shopify/dev-mcp has no Admin API schema for ${version} (it has ${schemaVersions().join(", ")})`);
    const introspection = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as { data: IntrospectionQuery };
    schema = buildClientSchema(introspection.data);
    schemas.set(version, schema);
  }
  return schema;
}

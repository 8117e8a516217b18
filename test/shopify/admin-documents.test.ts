// Every Admin GraphQL document the app sends lives in app/shopify/documents/ and is exported from its index: each
// one must validate against Shopify's real schema for API_VERSION (devkit/shopify-admin/admin-schema.ts, from
// @shopify/dev-mcp), use no deprecated field, argument or enum value, and request at most 1,000 points by
// Shopify's documented cost rules (devkit/shopify-admin/graphql-cost.ts), the most Shopify accepts in one query.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Kind, NoDeprecatedCustomRule, parse, specifiedRules, validate, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { API_VERSION } from "../../app/shopify/api-version.ts";
import * as documents from "../../app/shopify/documents/index.ts";
import { adminSchema } from "../../devkit/shopify-admin/admin-schema.ts";
import { requestedQueryCost, SINGLE_QUERY_LIMIT } from "../../devkit/shopify-admin/graphql-cost.ts";

const root = path.resolve(import.meta.dirname, "../..");
const documentsDir = path.join(root, "app/shopify/documents");
const entries = Object.entries(documents) as Array<[string, unknown]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return full.endsWith(path.join("app", "db", "generated")) ? [] : sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

describe("the app's Admin GraphQL documents", () => {
  it("are all exported from app/shopify/documents/index.ts, as #graphql strings", () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const [name, value] of entries) {
      expect(typeof value, name).toBe("string");
      expect(String(value).trimStart().startsWith("#graphql"), name).toBe(true);
    }
    // None is written anywhere else in app/ (a document outside the folder would escape the checks below), and
    // every one in the folder is exported.
    const operation = /`\s*(#graphql\b|(query|mutation)\s+\w+\s*[({])/g;
    let inFolder = 0;
    for (const file of sourceFiles(path.join(root, "app"))) {
      const found = readFileSync(file, "utf8").match(operation)?.length ?? 0;
      if (file.startsWith(documentsDir + path.sep)) inFolder += found;
      else expect(found, `${path.relative(root, file)} writes an Admin GraphQL document: move it to app/shopify/documents/`).toBe(0);
    }
    expect(inFolder).toBe(entries.length);
  });

  it("name each operation once", () => {
    const names = entries.map(([, text]) => {
      const operations = parse(String(text)).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations).toHaveLength(1);
      return operations[0]!.name?.value;
    });
    expect(names.every(Boolean)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });

  describe.each(entries)(`%s, against Shopify's Admin schema ${API_VERSION}`, (_name, text) => {
    const schema = adminSchema(API_VERSION);
    const document = parse(String(text));

    it("validates, with no deprecated field, argument or enum value", () => {
      expect(validate(schema, document, [...specifiedRules, NoDeprecatedCustomRule]).map((e) => e.message)).toEqual([]);
    });

    it(`requests at most ${SINGLE_QUERY_LIMIT} cost points`, () => {
      expect(requestedQueryCost(schema, document)).toBeLessThanOrEqual(SINGLE_QUERY_LIMIT);
    });
  });
});

// SQLite and PostgreSQL need separate Prisma schemas and migration folders; this keeps them in step.
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { createPostgresDatabase, createSqliteDatabase } from "../support/databases.ts";

const root = path.resolve(import.meta.dirname, "../..");

function models(file: string): string {
  return readFileSync(path.join(root, file), "utf8")
    .replace(/\/\/.*$/gm, "")
    .replace(/generator \w+ \{[^}]*\}/g, "")
    .replace(/datasource db \{[^}]*\}/, "")
    .replace(/\s+/g, " ")
    .trim();
}

const SCALARS = new Set(["String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes"]);

// Every scalar field of every model (a column), per table, read from the schema itself.
function expectedColumns(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const schema = readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
  for (const match of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const columns = match[2]!
      .split("\n")
      .map((line) => line.replace(/\/\/.*$/, "").trim().split(/\s+/))
      .filter(([name, type]) => name && type && !name.startsWith("@@") && SCALARS.has(type.replace(/[?[\]]/g, "")))
      .map(([name]) => name!);
    out.set(match[1]!, columns.sort());
  }
  expect(out.size).toBeGreaterThan(5);
  return out;
}

// Every model's primary key columns, in key order: `@@id([...])` or the field marked `@id`.
function expectedPrimaryKeys(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const schema = readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
  for (const match of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const body = match[2]!.replace(/\/\/.*$/gm, "");
    const compound = /@@id\(\[([^\]]*)\]\)/.exec(body);
    const single = /^\s*(\w+)\s+\S+.*\s@id\b/m.exec(body);
    out.set(match[1]!, compound ? compound[1]!.split(",").map((name) => name.trim()) : [single![1]!]);
  }
  return out;
}

describe("schema parity", () => {
  it("declares the same models for SQLite and PostgreSQL", () => {
    expect(models("prisma/postgresql/schema.prisma")).toBe(models("prisma/schema.prisma"));
  });

  it("SQLite migrations create exactly the schema's tables, columns and primary keys", async () => {
    const client = createClient({ url: await createSqliteDatabase() });
    for (const [table, columns] of expectedColumns()) {
      const info = await client.execute(`PRAGMA table_info("${table}")`);
      expect(info.rows.map((row) => String(row.name)).sort(), table).toEqual(columns);
    }
    for (const [table, key] of expectedPrimaryKeys()) {
      const info = await client.execute(`PRAGMA table_info("${table}")`);
      const pk = info.rows.filter((row) => Number(row.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk));
      expect(pk.map((row) => String(row.name)), `${table} primary key`).toEqual(key);
    }
    client.close();
  });

  it("PostgreSQL migrations create exactly the schema's tables, columns and primary keys", async () => {
    const client = new pg.Client({ connectionString: await createPostgresDatabase() });
    await client.connect();
    for (const [table, columns] of expectedColumns()) {
      const info = await client.query("SELECT column_name FROM information_schema.columns WHERE table_name = $1", [table]);
      expect(info.rows.map((row: { column_name: string }) => row.column_name).sort(), table).toEqual(columns);
    }
    for (const [table, key] of expectedPrimaryKeys()) {
      const info = await client.query(
        `SELECT k.column_name FROM information_schema.table_constraints c
           JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_name = c.table_name
          WHERE c.table_name = $1 AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position`,
        [table],
      );
      expect(info.rows.map((row: { column_name: string }) => row.column_name), `${table} primary key`).toEqual(key);
    }
    await client.end();
  });
});

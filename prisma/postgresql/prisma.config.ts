// Prisma's CLI for PostgreSQL (generate and migration diffs). Migrations are applied by scripts/prisma.mjs
// through `pg`, because the offline JavaScript schema engine cannot run `migrate deploy` against PostgreSQL 15.
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://localhost/affiliate_relay" });
  },
});

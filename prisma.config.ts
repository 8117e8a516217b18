// Prisma's CLI for the embedded SQLite database, fully offline: the JavaScript schema engine over libsql
// (the default Rust engines would be downloaded at install time, which these machines cannot do).
import { defineConfig } from "prisma/config";
import { PrismaLibSQL } from "@prisma/adapter-libsql";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    return new PrismaLibSQL({ url: process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite" });
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "app/**/*.test.ts", "devkit/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // The app reads its configuration from the environment; tests use fixed, obviously fake values.
    env: {
      SHOPIFY_API_KEY: "test-api-key",
      SHOPIFY_API_SECRET: "test-api-secret",
      SHOPIFY_APP_URL: "https://relay.test",
      SCOPES: "read_orders",
      ENCRYPTION_KEY: "k1:" + Buffer.alloc(32, 7).toString("base64"),
      DATABASE_URL: "file:./test/.artifacts/unused.sqlite",
      // In-process pipeline code logs through app/observability/log.server.ts: only warnings and errors in test output.
      LOG_LEVEL: "warn",
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores: more workers only contend.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});

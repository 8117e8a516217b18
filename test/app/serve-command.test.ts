// The serve command's own checks, without a build: a missing build is a one-line instruction, not a stack trace.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { portFromEnv } from "../../app/cli/commands/serve.ts";
import { BuildMissingError, startAppServer } from "../../app/server/http.server.ts";

describe("serve", () => {
  it("refuses to start without a build and says how to make one", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "affiliate-relay-nobuild-"));
    const attempt = startAppServer({ buildDir: empty, port: 0 });
    await expect(attempt).rejects.toBeInstanceOf(BuildMissingError);
    await expect(attempt).rejects.toThrow("run npm run build first");
  });

  it("reads PORT, 3000 by default, and rejects nonsense", () => {
    expect(portFromEnv(undefined)).toBe(3000);
    expect(portFromEnv("")).toBe(3000);
    expect(portFromEnv("8081")).toBe(8081);
    expect(portFromEnv("0")).toBe(0);
    expect(() => portFromEnv("http")).toThrow('PORT must be a port number (0-65535), got "http"');
    expect(() => portFromEnv("70000")).toThrow("PORT must be a port number");
  });
});

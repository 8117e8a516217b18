// The commands that take --network name the registered networks in their usage and errors (app/cli/networks.ts).
import { describe, expect, it, vi } from "vitest";
import { main } from "../../app/cli/main.ts";
import { networks } from "../../app/networks/registry.ts";

async function run(args: string[]) {
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const code = await main(args);
    return { code, err: stderr.mock.calls.map((c) => String(c[0])).join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const SHOP = "usage-test.myshopify.com";
const ids = networks.map((network) => network.id);

describe.each([
  ["replay", ["replay", "--shop", SHOP], ["replay", "--shop", SHOP, "--network", "nope"]],
  ["backfill", ["backfill", "--shop", SHOP], ["backfill", "--shop", SHOP, "--network", "nope", "--days", "7"]],
])("affiliate-relay %s", (_name, usageArgs, unknownArgs) => {
  it("lists exactly the registered networks in its usage, on one line", async () => {
    const { code, err } = await run(usageArgs);
    expect(code).toBe(1);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toContain(`--network <${ids.join("|")}>`);
  });

  it("names the registered networks when given another", async () => {
    const { code, err } = await run(unknownArgs);
    expect(code).toBe(1);
    expect(err).toContain(`unknown network "nope": use one of ${ids.join(", ")}`);
  });
});

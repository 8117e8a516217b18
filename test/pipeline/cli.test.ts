// The replay and backfill commands through the CLI dispatcher, against a real database; bad usage is one line
// on stderr and a non-zero exit.
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../app/cli/main.ts";
import { setDb } from "../../app/db/client.server.ts";
import { saveSettingsFile } from "../../app/settings/store.server.ts";
import { simulatorSettings, SHOP, startRelay, type Relay } from "./support/harness.ts";
import { attributedOrder } from "../../devkit/orders/attributed-order.ts";

async function run(args: string[]) {
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const code = await main(args);
    return { code, out: stdout.mock.calls.map((c) => String(c[0])).join(""), err: stderr.mock.calls.map((c) => String(c[0])).join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe("replay and backfill commands", () => {
  let relay: Relay;
  afterEach(async () => relay?.close());

  it("queues failed deliveries again and backfills a network, and explains bad usage in one line", async () => {
    relay = await startRelay("sqlite", {
      settings: (sims) => ({ ...simulatorSettings(sims), networks: { ...simulatorSettings(sims).networks, retrack: { enabled: false, apiToken: "", eventId: "" } } }),
    });
    for (let i = 1; i <= 2; i++) await relay.post("orders/paid", attributedOrder(i));
    relay.sims.failNext("flexoffers", "no-click", 2);
    // Stopped once the orders are delivered: the commands below only queue, and the queue is what is counted.
    const worker = relay.worker();
    await worker.idle();
    await worker.stop();
    // The commands run on db(), and close it when done (Prisma and the pipeline driver reopen on next use).
    setDb(relay.db);

    const usage = await run(["replay", "--shop", SHOP]);
    expect(usage.code).not.toBe(0);
    expect(usage.err.trim().split("\n")).toHaveLength(1);
    expect(usage.err).toMatch(/^affiliate-relay replay: usage: /);
    const badShop = await run(["backfill", "--shop", "not a shop", "--network", "retrack", "--days", "7"]);
    expect(badShop.err).toMatch(/--shop must be a \*\.myshopify\.com domain/);

    const failed = await relay.db.delivery.findFirstOrThrow({ where: { network: "flexoffers", status: "failed" } });
    const one = await run(["replay", "--shop", SHOP, "--delivery", failed.id]);
    expect([one.code, one.out]).toEqual([0, `queued delivery ${failed.id} again\n`]);
    setDb(relay.db);
    const all = await run(["replay", "--shop", SHOP, "--network", "flexoffers"]);
    expect(all.out).toBe(`queued 1 failed flexoffers delivery of ${SHOP} again\n`);
    setDb(relay.db);
    const off = await run(["backfill", "--shop", SHOP, "--network", "retrack", "--days", "7"]);
    expect(off.code).toBe(1);
    expect(off.err).toMatch(/Retrack is switched off/);

    await saveSettingsFile(relay.db, SHOP, simulatorSettings(relay.sims));
    setDb(relay.db);
    const backfill = await run(["backfill", "--shop", SHOP, "--network", "retrack", "--days", "7"]);
    expect(backfill.out).toMatch(/2 orders, 2 queued, 0 skipped/);
    expect(await relay.db.delivery.count({ where: { status: "pending" } })).toBe(4);
  });
});

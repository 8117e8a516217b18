// `affiliate-relay preview <order.json> [--settings <file>] [--topic ...]`: what each network would be sent for an
// order, without storing or sending anything. Secrets are shown as "[redacted]".
import { conversionAsDecided, decideDelivery, isOrderTopic, topics, type DeliveryEvent, type OrderTopic } from "../../networks/decide.ts";
import { redactRequest, type RedactedRequest } from "../../networks/http.ts";
import { networks, type AnyNetworkDefinition } from "../../networks/registry.ts";
import { OrderPayloadError, orderFromShopify, refundFromShopify } from "../../orders/from-shopify.ts";
import type { CurrencyMode } from "../../orders/model.ts";
import { parseJsonKeepingBigIntegers } from "../../orders/shopify-json.ts";
import { oneLineZodError } from "../../orders/zod-error.ts";
import { settingsFileSchema } from "../../settings/file-schema.ts";
import { CliError, type CliCommand } from "../command.ts";
import { readJsonFile } from "../json-file.ts";

export const usage = `usage: affiliate-relay preview <order.json> [--settings <file>] [--topic ${topics.join("|")}]

Prints a JSON array, one entry per network in the settings:
  {"network", "action": "send"|"skip", "reason"?, "request"?: {"method", "url", "headers", "body"}}
Secret header values are shown as "[redacted]". Nothing is stored or sent.

  <order.json>   a Shopify order webhook payload (orders/paid, orders/cancelled). For --topic refunds/create,
                 a file holding {"order": <order payload>, "refund": <refunds/create payload>}; the order may be
                 as it stands after the refund (reversals are read against the order as it was paid).
  --settings     a settings file (as exported by the admin or \`settings export\`). Without it, every network is
                 previewed as switched on with placeholder credentials, in the shop currency, test orders skipped.
  --topic        the Shopify event to preview (default orders/paid).`;

export interface PreviewEntry {
  network: string;
  action: "send" | "skip";
  reason?: string;
  request?: RedactedRequest;
}

interface Options {
  orderFile: string;
  settingsFile?: string;
  topic: OrderTopic;
}

function parseArgs(args: string[]): Options {
  let orderFile: string | undefined;
  let settingsFile: string | undefined;
  let topic: OrderTopic = "orders/paid";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const next = args[++i];
      if (next === undefined || next.startsWith("--")) throw new CliError(`${arg} needs a value: see affiliate-relay preview --help`);
      return next;
    };
    if (arg === "--settings") settingsFile = value();
    else if (arg.startsWith("--settings=")) settingsFile = arg.slice("--settings=".length);
    else if (arg === "--topic" || arg.startsWith("--topic=")) {
      const given = arg === "--topic" ? value() : arg.slice("--topic=".length);
      if (!isOrderTopic(given)) throw new CliError(`unknown topic "${given}": use one of ${topics.join(", ")}`);
      topic = given;
    } else if (arg.startsWith("-")) throw new CliError(`unknown option ${arg}: see affiliate-relay preview --help`);
    else if (orderFile === undefined) orderFile = arg;
    else throw new CliError(`only one order file, please (got "${orderFile}" and "${arg}")`);
  }
  if (!orderFile) throw new CliError("which order? usage: affiliate-relay preview <order.json> [--settings <file>] [--topic ...]");
  return { orderFile, settingsFile, topic };
}

interface PreviewSettings {
  currency: CurrencyMode;
  sendTestOrders: boolean;
  blocks: Array<{ network: AnyNetworkDefinition; settings: ({ enabled: boolean } & Record<string, unknown>) | null }>;
}

async function loadSettings(file: string | undefined): Promise<PreviewSettings> {
  if (!file) {
    return {
      currency: "shop",
      sendTestOrders: false,
      blocks: networks.map((network) => ({ network, settings: network.placeholderSettings ?? null })),
    };
  }
  const parsed = settingsFileSchema.safeParse(await readJsonFile(file, "settings file"));
  if (!parsed.success) throw new CliError(`invalid settings file ${file}: ${oneLineZodError(parsed.error)}`);
  const given = parsed.data.networks as Record<string, ({ enabled: boolean } & Record<string, unknown>) | undefined>;
  return {
    currency: parsed.data.currency,
    sendTestOrders: parsed.data.sendTestOrders,
    blocks: networks.filter((network) => given[network.id]).map((network) => ({ network, settings: given[network.id]! })),
  };
}

export async function preview(options: Options): Promise<PreviewEntry[]> {
  // Shopify's ids are 64-bit: the order file is read the way webhook bodies are, keeping big integers exact.
  const input = await readJsonFile(options.orderFile, "order file", parseJsonKeepingBigIntegers);
  const settings = await loadSettings(options.settingsFile);
  let orderPayload = input;
  let refundPayload: unknown = null;
  if (options.topic === "refunds/create") {
    if (typeof input !== "object" || input === null || !("order" in input) || !("refund" in input)) {
      throw new CliError(`for refunds/create the file ${options.orderFile} must hold {"order": <order payload>, "refund": <refund payload>}`);
    }
    orderPayload = (input as { order: unknown }).order;
    refundPayload = (input as { refund: unknown }).refund;
  }
  try {
    // A reversal undoes what was reported for the order as it was paid: by now a cancellation may have left every
    // current quantity at 0, and a refund has already taken its own units off. The pipeline reverses against the
    // order it recorded at payment; the file holds the order as the merchant has it now.
    const order = orderFromShopify(orderPayload, options.topic !== "orders/paid" ? { figures: "asPaid" } : {});
    const refund = refundPayload === null ? null : refundFromShopify(refundPayload, order);
    return settings.blocks.map(({ network, settings: block }): PreviewEntry => {
      if (!block) return { network: network.id, action: "skip", reason: `${network.label} has no placeholder settings: pass --settings` };
      const decide = (event: DeliveryEvent) =>
        decideDelivery({ network, settings: block, keysRejected: false, sendTestOrders: settings.sendTestOrders, currencyMode: settings.currency, order, event });
      // A reversal follows the conversion as this preview would have sent it (with no reference from the network).
      const conversion = conversionAsDecided(decide({ kind: "conversion" }));
      const decision = decide(options.topic === "orders/paid" ? { kind: "conversion" } : refund ? { kind: "refund", refund, conversion } : { kind: "cancellation", conversion });
      return decision.action === "send"
        ? { network: network.id, action: "send", request: redactRequest(decision.request) }
        : { network: network.id, action: "skip", reason: decision.reason };
    });
  } catch (error) {
    if (error instanceof OrderPayloadError) throw new CliError(`${options.orderFile}: ${error.message}`);
    throw error;
  }
}

const command: CliCommand = {
  async run(args) {
    if (args.includes("--help") || args.includes("-h")) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const entries = await preview(parseArgs(args));
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  },
};
export default command;

// The settings file (PRODUCT.md "Contracts other tools rely on"): the admin's export/import and the command
// line's input. Its networks block, schema and type alike, is built from the registry, so a new network needs no
// edit here. Keys this version does not know are kept, so files from newer versions still load.
import { z } from "zod";
import { networks, type NetworkId, type SettingsByNetwork } from "../networks/registry.ts";

type NetworkBlocks = { [Id in NetworkId]: z.ZodOptional<z.ZodType<SettingsByNetwork[Id]>> };

const networkBlocks = Object.fromEntries(networks.map((network) => [network.id, network.settingsSchema.optional()])) as NetworkBlocks;

export const settingsFileSchema = z
  .object({
    currency: z.enum(["shop", "presentment"], { error: 'must be "shop" or "presentment"' }).default("shop"),
    sendTestOrders: z.boolean({ error: "must be true or false" }).default(false),
    consentGating: z.boolean({ error: "must be true or false" }).default(true),
    networks: z.object(networkBlocks).loose().default({}),
  })
  .loose();

export type SettingsFile = z.output<typeof settingsFileSchema>;

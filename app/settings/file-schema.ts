// The settings file (PRODUCT.md "Contracts other tools rely on"): the admin's export/import and the command
// line's input. Its networks block is built from the registry, so a new network needs no edit here.
// Keys this version does not know are kept, so files from newer versions still load.
import { z } from "zod";
import { networks } from "../networks/registry.ts";

const networkBlocks = Object.fromEntries(networks.map((network) => [network.id, network.settingsSchema.optional()]));

export const settingsFileSchema = z
  .object({
    currency: z.enum(["shop", "presentment"], { error: 'must be "shop" or "presentment"' }).default("shop"),
    sendTestOrders: z.boolean({ error: "must be true or false" }).default(false),
    consentGating: z.boolean({ error: "must be true or false" }).default(true),
    networks: z.object(networkBlocks).loose().default({}),
  })
  .loose();

type NetworksBlock = {
  refersion?: { enabled: boolean; publicKey: string; secretKey: string };
  retrack?: { enabled: boolean; apiToken: string; eventId: string };
  flexoffers?: { enabled: boolean; advertiserId: string; commissionId: string; cookieDays: number };
} & Record<string, ({ enabled: boolean } & Record<string, unknown>) | undefined>;

export type SettingsFile = Omit<z.infer<typeof settingsFileSchema>, "networks"> & { networks: NetworksBlock };

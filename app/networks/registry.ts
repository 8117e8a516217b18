// Every affiliate network the app reports to: one folder each under app/networks, one line here.
import type { NetworkDefinition } from "./types.ts";

export const networks: readonly NetworkDefinition<never>[] = [];

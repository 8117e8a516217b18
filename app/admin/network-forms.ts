// The networks page's data, shared by app/admin/network-forms.server.ts and app/routes/app.networks.tsx: no server
// code here. Built from each network's own definition (app/networks/types.ts, `fields`), so a network added to the
// registry gets its card without admin code.
import type { CredentialsCheck } from "../networks/types.ts";

export type CredentialsStatus = "unverified" | "ok" | "rejected";

export interface NetworkFieldView {
  key: string;
  label: string;
  help: string;
  secret: boolean;
  input: "text" | "number";
  required: boolean;
  /** The stored value of a non-secret field; always "" for a secret one (secrets are write-only). */
  value: string;
  /** For a secret field: whether one is stored, and its last four characters when it is long enough to hide. */
  stored: { set: false } | { set: true; lastFour: string | null } | null;
}

export interface NetworkCardView {
  id: string;
  label: string;
  /** Whether the shop saved settings for this network. */
  configured: boolean;
  enabled: boolean;
  credentialsStatus: CredentialsStatus | null;
  credentialsError: string | null;
  credentialsCheckedAt: string | null;
  /** Whether the network offers a way to check keys without reporting an order. */
  canCheckCredentials: boolean;
  /** The stored settings fail the network's schema (saved by an older release): what is wrong, to be fixed and saved. */
  storedProblem: { message: string; fieldErrors: Record<string, string>; formError: string | null } | null;
  fields: NetworkFieldView[];
}

export interface StorefrontOutcome {
  ok: boolean;
  synced: boolean;
  message: string;
}

export type NetworkActionResult =
  | { intent: "save"; network: string; ok: true; storefront: StorefrontOutcome }
  | { intent: "save" | "test"; network: string; ok: false; fieldErrors: Record<string, string>; formError: string | null }
  | { intent: "test"; network: string; ok: true; check: CredentialsCheck };

/** The form's field names: `enabled` ("on" when ticked), then each field's key. */
export const ENABLED_FIELD = "enabled";

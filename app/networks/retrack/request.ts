import type { NetworkRequest } from "../types.ts";
import type { RetrackSettings } from "./settings.ts";

export function retrackPost(url: string, settings: RetrackSettings, body: unknown): NetworkRequest {
  return {
    method: "POST",
    url,
    headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: `Bearer ${settings.apiToken}` },
    body,
    secretHeaders: ["Authorization"],
  };
}

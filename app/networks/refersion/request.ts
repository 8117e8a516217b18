import type { NetworkRequest } from "../types.ts";
import type { RefersionSettings } from "./settings.ts";

/** Refersion authenticates every call with both keys in headers; the secret one is never shown or logged. */
export function refersionPost(url: string, settings: RefersionSettings, body: unknown): NetworkRequest {
  return {
    method: "POST",
    url,
    headers: {
      "Content-Type": "application/json",
      "Refersion-Public-Key": settings.publicKey,
      "Refersion-Secret-Key": settings.secretKey,
    },
    body,
    secretHeaders: ["Refersion-Secret-Key"],
  };
}

// How the storefront script captures a Retrack click (PRODUCT.md "The flow"): links arrive as
// `?click=<uuid>&deeplink=<url-encoded URL>` on any store page; the click is kept for Retrack's fixed 10 days.
import { UUID_SOURCE } from "../shared/attribution.ts";
import type { StorefrontCapture } from "../types.ts";

export const retrackCapture = {
  param: "click",
  pattern: UUID_SOURCE,
  cookie: "retrack_click",
  cartAttribute: "_retrack_click",
  days: { fixed: 10 },
  redirectParam: "deeplink",
  example: "0b7a3c1e-8f2d-4c55-9a1b-2e3f4a5b6c7d",
} as const satisfies StorefrontCapture;

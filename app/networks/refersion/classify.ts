import { classifyCommon } from "../http.ts";
import type { Classification, NetworkRequest, NetworkResponse } from "../types.ts";

/** Refersion: any 2xx is accepted; 401/403 are bad keys; 400 a missing or malformed field (fix and replay). */
export function classifyRefersion(response: NetworkResponse, _request?: NetworkRequest): Classification {
  return classifyCommon(response, "Refersion");
}

// A network's URLs (NetworkDefinition.endpoints): the environment's override when set, else production. Read at
// every call, so tests and the demo can point a running process at loopback servers.
import type { NetworkEndpoint } from "../types.ts";

export function endpointUrl(endpoint: NetworkEndpoint): string {
  return process.env[endpoint.env] || endpoint.default;
}

/** An API base without trailing slashes, ready for `${base}/path`. */
export function endpointBase(endpoint: NetworkEndpoint): string {
  return endpointUrl(endpoint).replace(/\/+$/, "");
}

// Retrack's API base (RETRACK_API_URL), read at call time so tests can point it at a loopback server.
export const RETRACK_API_DEFAULT = "https://retrack.refunder.com/api/v2";

function base(): string {
  return (process.env.RETRACK_API_URL || RETRACK_API_DEFAULT).replace(/\/+$/, "");
}

export function retrackCreateUrl(): string {
  return `${base()}/transactions`;
}

export function retrackTransactionUrl(uuid: string): string {
  return `${base()}/transactions/${encodeURIComponent(uuid)}`;
}

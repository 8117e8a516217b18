// Shoppers' personal data as the admin shows it: hidden. The attempt log keeps the request as sent (secrets
// already redacted by app/networks/http.ts), which carries the customer's name, email and IP for some networks;
// the merchant needs the shape of what was sent, not the shopper's details, and no page may carry them.
const PERSONAL_KEYS = new Set(["email", "first_name", "last_name", "firstname", "lastname", "name_first", "name_last", "ip_address", "ip", "phone", "customer_email"]);
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

export const HIDDEN = "[hidden]";

export function hideEmails(text: string): string {
  return text.replace(EMAIL, HIDDEN);
}

export function hidePersonalData(value: unknown): unknown {
  if (typeof value === "string") return hideEmails(value);
  if (Array.isArray(value)) return value.map(hidePersonalData);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, PERSONAL_KEYS.has(key.toLowerCase()) && inner !== null && inner !== "" ? HIDDEN : hidePersonalData(inner)]),
    );
  }
  return value;
}

// What identifies one customer, and how it is removed from what the app holds: stored orders, logged requests,
// the networks' answers. Used by customers/redact (customer-redact.server.ts) and by the attempt-recording step
// (app/pipeline/deliver.server.ts), which scrubs what a delivery in flight during a redaction writes afterwards.

export const REDACTED = "[redacted]";

/**
 * Emails, phone numbers and IP addresses are distinctive: any string containing one (plain or URL-encoded)
 * identifies the customer. Names are not: a short name ("Abe") can be part of a SKU, a product title or a click id
 * that later refunds still need, so in structured values a name goes only where it is the whole value; in free
 * text (a network's answer, an error), shopper-written note attributes and the landing URL it goes as a word.
 */
export interface Needles {
  contained: string[];
  names: string[];
}

export const NO_NEEDLES: Needles = { contained: [], names: [] };

export function isEmpty(needles: Needles): boolean {
  return needles.contained.length === 0 && needles.names.length === 0;
}

interface CustomerLike {
  email?: unknown;
  ipAddress?: unknown;
  phone?: unknown;
  firstName?: unknown;
  lastName?: unknown;
}

/** The needles for a stored customer (the order model's `customer`) and what the redaction request names. */
export function customerNeedles(customer: unknown, known: { email?: string | null; phone?: string | null } = {}): Needles {
  const contained = new Set<string>();
  const names = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value !== "string" || value.trim().length < 3) return;
    const plain = value.trim().toLowerCase();
    contained.add(plain);
    // As it appears in a URL (landing_site "?email=jane%40example.com").
    contained.add(encodeURIComponent(plain).toLowerCase());
  };
  add(known.email);
  add(known.phone);
  const c = (customer && typeof customer === "object" ? customer : {}) as CustomerLike;
  add(c.email);
  add(c.ipAddress);
  add(c.phone);
  for (const value of [c.firstName, c.lastName]) {
    if (typeof value !== "string") continue;
    for (const part of [value, ...value.split(/\s+/)]) if (part.trim().length >= 2) names.add(part.trim().toLowerCase());
  }
  return { contained: [...contained], names: [...names] };
}

/** The needles of two sets together. */
export function mergeNeedles(a: Needles, b: Needles): Needles {
  return { contained: [...new Set([...a.contained, ...b.contained])], names: [...new Set([...a.names, ...b.names])] };
}

function percentDecoded(text: string): string {
  let out = text;
  // Twice, for values encoded twice on their way through redirects.
  for (let i = 0; i < 2 && /%[0-9a-f]{2}/i.test(out); i++) {
    try {
      out = decodeURIComponent(out);
    } catch {
      out = out.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
  }
  return out;
}

/** The forms a value can hide a needle in: as is, URL-decoded, and with form-encoded spaces. */
function forms(text: string): string[] {
  const lower = text.toLowerCase();
  const decoded = percentDecoded(lower);
  return [...new Set([lower, decoded, percentDecoded(lower.replace(/\+/g, " "))])];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const wordPattern = (name: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, "iu");

function hits(text: string, needles: Needles, words: boolean): boolean {
  const candidates = forms(text);
  if (needles.contained.some((needle) => candidates.some((form) => form.includes(needle)))) return true;
  if (candidates.some((form) => needles.names.includes(form.trim()))) return true;
  return words && needles.names.some((name) => candidates.some((form) => wordPattern(name).test(form)));
}

const URL_WITH_QUERY = /^(?:[a-z][a-z0-9+.-]*:\/\/[^\s/?#]*)?\/[^\s]*\?[^\s]*$/i;

/** A URL keeps what does not name the customer (a click id a later refund needs): only the parts that do go. */
function scrubUrl(url: string, needles: Needles): string {
  const hashAt = url.indexOf("#");
  const withoutHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const hash = hashAt >= 0 ? url.slice(hashAt + 1) : null;
  const queryAt = withoutHash.indexOf("?");
  const path = withoutHash.slice(0, queryAt);
  const query = withoutHash.slice(queryAt + 1);
  const params = query.split("&").map((param) => {
    if (!hits(param, needles, true)) return param;
    const eq = param.indexOf("=");
    const key = eq >= 0 ? param.slice(0, eq) : param;
    return eq >= 0 && !hits(key, needles, true) ? `${key}=${REDACTED}` : REDACTED;
  });
  const out =
    `${hits(path, needles, true) ? REDACTED : path}?${params.join("&")}` + (hash === null ? "" : `#${hits(hash, needles, true) ? REDACTED : hash}`);
  return hits(out, needles, true) ? REDACTED : out;
}

function scrubString(value: string, needles: Needles, words: boolean): string {
  if (!hits(value, needles, words)) return value;
  return URL_WITH_QUERY.test(value.trim()) ? scrubUrl(value.trim(), needles) : REDACTED;
}

/**
 * Removes `customer` objects and any string that identifies the customer, at any depth. Note attributes a
 * shopper can write (no leading "_": hidden ones are the storefront's own values, such as click ids) and the
 * landing URL are matched against names word by word.
 */
export function scrubValue(value: unknown, needles: Needles, words = false): unknown {
  if (isEmpty(needles)) return value;
  if (typeof value === "string") return scrubString(value, needles, words);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, needles, words));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === "customer" && inner !== null) out[key] = null;
      else if (key === "noteAttributes" && inner && typeof inner === "object" && !Array.isArray(inner)) {
        out[key] = Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).map(([name, text]) => [
            hits(name, needles, true) ? REDACTED : name,
            scrubValue(text, needles, !name.startsWith("_")),
          ]),
        );
      } else out[key] = scrubValue(inner, needles, words || key === "landingSite" || key === "landing_site" || key === "note");
    }
    return out;
  }
  return value;
}

/** Free text (a network's answer, an error, a reason): every occurrence goes, names as words. */
export function scrubText(text: string | null, needles: Needles): string | null {
  if (text === null || isEmpty(needles)) return text;
  let out = text;
  for (const needle of [...needles.contained].sort((a, b) => b.length - a.length)) out = out.replace(new RegExp(escapeRegExp(needle), "gi"), REDACTED);
  for (const name of [...needles.names].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, "giu"), REDACTED);
  }
  return out;
}

/** A logged request ({method, url, headers, body} as JSON text) without the customer. */
export function scrubLoggedRequest(request: string, needles: Needles): string {
  if (isEmpty(needles)) return request;
  try {
    return JSON.stringify(scrubValue(JSON.parse(request), needles));
  } catch {
    return scrubText(request, needles) ?? request;
  }
}

// AES-256-GCM for credentials at rest. ENCRYPTION_KEY holds one or more 32-byte keys, base64 or hex:
//   "<key>"                      one key
//   "<label>:<key>,<label>:<key>,..."  rotation: the first encrypts, every listed key still decrypts
// Each ciphertext names the key that sealed it by the key's fingerprint (derived from the key itself), so labels
// are only for people: a key may be listed bare, labelled, or relabelled ("new:<k2>,old:<k1>" after "<k1>") and
// what it sealed still opens. Ciphertexts from before fingerprints name a label, which is looked up too.
// `affiliate-relay keys rotate` (app/security/rotate-credentials.server.ts) re-seals everything with the first key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface Keyring {
  /** The fingerprint of the first listed key: what encrypts, and what new ciphertexts name. */
  currentId: string;
  /** Every listed key, by its fingerprint and by its label where it has one. */
  keys: Map<string, Buffer>;
}

export class EncryptionKeyError extends Error {}

const KEY_BYTES = 32;
const IV_BYTES = 12;
/** GCM's full tag: a shorter one would be accepted by Node unless the length is pinned, and is easier to forge. */
const TAG_BYTES = 16;

/**
 * Exactly 64 hex digits, or base64 (standard or URL alphabet, padding optional) that decodes to 32 bytes and
 * encodes back to the same text: Node's decoder skips what it cannot read, so "key + garbage" would decode.
 */
function decodeKey(text: string, label: string): Buffer {
  const trimmed = text.trim();
  const problem = `${label} must be exactly 32 bytes, base64 or hex (generate one with: openssl rand -base64 32)`;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  const key = strictBase64(trimmed);
  if (!key) throw new EncryptionKeyError(`${problem}; got text that is neither`);
  if (key.length !== KEY_BYTES) throw new EncryptionKeyError(`${problem}; got ${key.length} bytes`);
  return key;
}

/** Base64 or base64url, padded or not, that is exactly what the bytes encode to; anything else is null. */
function strictBase64(text: string): Buffer | null {
  const url = /^[A-Za-z0-9_-]*$/.test(text.replace(/=+$/, ""));
  const standard = /^[A-Za-z0-9+/]*={0,2}$/.test(text);
  if (!text || (!url && !standard) || (text.includes("=") && text.length % 4 !== 0)) return null;
  const bytes = Buffer.from(text, url && !standard ? "base64url" : "base64");
  const again = bytes.toString(url && !standard ? "base64url" : "base64");
  const unpadded = (value: string) => value.replace(/=+$/, "");
  return unpadded(again) === unpadded(text) ? bytes : null;
}

/** One base64url part of a ciphertext, of exactly `bytes` bytes. */
function part(text: string, bytes: number, what: string): Buffer {
  const decoded = /^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, "base64url") : null;
  if (!decoded || decoded.toString("base64url") !== text || decoded.length !== bytes) {
    throw new Error(`not an Affiliate Relay ciphertext: the ${what} must be ${bytes} bytes`);
  }
  return decoded;
}

/** A key's id in ciphertexts: its fingerprint, the same however ENCRYPTION_KEY labels it. */
export function keyFingerprint(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

export function parseKeyring(value: string | undefined): Keyring {
  if (!value || !value.trim()) {
    throw new EncryptionKeyError("ENCRYPTION_KEY is not set: credentials are never stored unencrypted (openssl rand -base64 32)");
  }
  const keys = new Map<string, Buffer>();
  const add = (id: string, key: Buffer, what: string) => {
    const known = keys.get(id);
    if (known && !known.equals(key)) throw new EncryptionKeyError(`ENCRYPTION_KEY lists ${what} "${id}" twice`);
    keys.set(id, key);
  };
  const fingerprints = new Set<string>();
  let currentId = "";
  for (const entry of value.split(",")) {
    const colon = entry.indexOf(":");
    const [label, material] = colon > 0 ? [entry.slice(0, colon).trim(), entry.slice(colon + 1)] : [null, entry];
    if (label !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(label)) {
      throw new EncryptionKeyError(`ENCRYPTION_KEY key id "${label}" must be 1-32 letters, digits, - or _`);
    }
    const key = decodeKey(material, label ? `ENCRYPTION_KEY key "${label}"` : "ENCRYPTION_KEY");
    const fingerprint = keyFingerprint(key);
    if (fingerprints.has(fingerprint)) throw new EncryptionKeyError(`ENCRYPTION_KEY lists the same key twice (key id "${label ?? fingerprint}")`);
    fingerprints.add(fingerprint);
    add(fingerprint, key, "key id");
    if (label !== null) add(label, key, "key id");
    currentId ||= fingerprint;
  }
  return { currentId, keys };
}

/** The key id a ciphertext names (its second part), or null for text that is not one. */
export function sealedKeyId(ciphertext: string): string | null {
  const [version, keyId] = ciphertext.split(".");
  return version === "v1" && keyId ? keyId : null;
}

let cached: { source: string; keyring: Keyring } | undefined;

/** The keyring from ENCRYPTION_KEY; throws a clear error when it is missing or malformed. */
export function keyringFromEnv(): Keyring {
  const source = process.env.ENCRYPTION_KEY ?? "";
  if (cached?.source !== source) cached = { source, keyring: parseKeyring(source) };
  return cached.keyring;
}

export interface Sealed {
  keyId: string;
  ciphertext: string;
}

const b64 = (buffer: Buffer) => buffer.toString("base64url");

export function seal(plaintext: string, keyring: Keyring = keyringFromEnv(), aad = ""): Sealed {
  const key = keyring.keys.get(keyring.currentId)!;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    keyId: keyring.currentId,
    ciphertext: ["v1", keyring.currentId, b64(iv), b64(cipher.getAuthTag()), b64(body)].join("."),
  };
}

/** Decrypts; `aad` binds a ciphertext to its row (shop and network) so it cannot be copied to another. */
export function open(ciphertext: string, keyring: Keyring = keyringFromEnv(), aad = ""): string {
  const [version, keyId, iv, tag, body] = ciphertext.split(".");
  if (version !== "v1" || !keyId || !iv || !tag || body === undefined) throw new Error("not an Affiliate Relay ciphertext");
  const key = keyring.keys.get(keyId);
  if (!key) throw new EncryptionKeyError(`credentials were encrypted with key "${keyId}", which ENCRYPTION_KEY no longer lists`);
  const decipher = createDecipheriv("aes-256-gcm", key, part(iv, IV_BYTES, "IV"), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(part(tag, TAG_BYTES, "authentication tag"));
  const sealedBody = Buffer.from(body, "base64url");
  if (sealedBody.toString("base64url") !== body) throw new Error("not an Affiliate Relay ciphertext: the body is not base64url");
  return Buffer.concat([decipher.update(sealedBody), decipher.final()]).toString("utf8");
}

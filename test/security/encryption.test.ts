import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EncryptionKeyError, keyFingerprint, open, parseKeyring, seal, sealedKeyId } from "../../app/security/encryption.server.ts";

const keyA = randomBytes(32);
const keyB = randomBytes(32);

describe("credential encryption", () => {
  it("round-trips and never contains the plaintext", () => {
    const keyring = parseKeyring(keyA.toString("base64"));
    const sealed = seal('{"secretKey":"sk_live_123"}', keyring, "shop/refersion");
    expect(sealed.ciphertext).not.toContain("sk_live_123");
    expect(sealed.ciphertext.startsWith(`v1.${sealed.keyId}.`)).toBe(true);
    expect(open(sealed.ciphertext, keyring, "shop/refersion")).toBe('{"secretKey":"sk_live_123"}');
  });

  it("uses a fresh IV each time", () => {
    const keyring = parseKeyring(keyA.toString("hex"));
    expect(seal("same", keyring).ciphertext).not.toBe(seal("same", keyring).ciphertext);
  });

  it("rejects tampered ciphertext and ciphertext moved to another row", () => {
    const keyring = parseKeyring(keyA.toString("base64"));
    const { ciphertext } = seal("secret", keyring, "a.myshopify.com/retrack");
    const parts = ciphertext.split(".");
    const body = Buffer.from(parts[4]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString("base64url");
    expect(() => open(parts.join("."), keyring, "a.myshopify.com/retrack")).toThrow();
    expect(() => open(ciphertext, keyring, "b.myshopify.com/retrack")).toThrow();
  });

  it("rotates as README says: a bare key, then new:<k2>,old:<k1>; the first encrypts, older listed keys still decrypt", () => {
    const first = parseKeyring(keyA.toString("base64"));
    const sealed = seal("v", first);
    expect(sealed.keyId).toBe(keyFingerprint(keyA));
    const rotated = parseKeyring(`new:${keyB.toString("base64")},old:${keyA.toString("base64")}`);
    expect(open(sealed.ciphertext, rotated)).toBe("v");
    const resealed = seal("v", rotated);
    expect(resealed.keyId).toBe(keyFingerprint(keyB));
    // Relabelled again (the same recipe one rotation later), or listed bare: still the same key.
    expect(open(resealed.ciphertext, parseKeyring(`newer:${randomBytes(32).toString("base64")},old:${keyB.toString("hex")}`))).toBe("v");
    expect(open(resealed.ciphertext, parseKeyring(keyB.toString("base64")))).toBe("v");
    const dropped = parseKeyring(`new:${keyB.toString("base64")}`);
    expect(() => open(sealed.ciphertext, dropped)).toThrow(/no longer lists/);
  });

  it("still opens a ciphertext that names a key by its label (sealed before fingerprints)", () => {
    const parts = seal("v", parseKeyring(keyA.toString("base64"))).ciphertext.split(".");
    parts[1] = "old";
    expect(open(parts.join("."), parseKeyring(`new:${keyB.toString("base64")},old:${keyA.toString("base64")}`))).toBe("v");
    expect(sealedKeyId(parts.join("."))).toBe("old");
  });

  it("refuses an authentication tag shorter than GCM's 16 bytes", () => {
    const keyring = parseKeyring(keyA.toString("base64"));
    const { ciphertext } = seal("secret", keyring, "a.myshopify.com/retrack");
    const parts = ciphertext.split(".");
    const tag = Buffer.from(parts[3]!, "base64url");
    for (const length of [15, 12, 8, 4, 1]) {
      const shortened = [...parts.slice(0, 3), tag.subarray(0, length).toString("base64url"), parts[4]].join(".");
      expect(() => open(shortened, keyring, "a.myshopify.com/retrack"), `${length}-byte tag`).toThrow(/authentication tag must be 16 bytes/);
    }
    expect(open(ciphertext, keyring, "a.myshopify.com/retrack")).toBe("secret");
  });

  it("reads a key only when all of it is exactly 32 bytes of base64 or hex", () => {
    const base64 = keyA.toString("base64");
    const hex = keyA.toString("hex");
    for (const good of [base64, base64.replace(/=$/, ""), keyA.toString("base64url"), hex, hex.toUpperCase(), ` ${base64} `]) {
      expect(parseKeyring(good).keys.size, good).toBeGreaterThan(0);
    }
    for (const bad of [`${base64}garbage`, `${base64}!!`, `${base64}=`, `${base64.slice(0, -2)}$=`, `${hex}zz`, `${hex}0`, `${hex.slice(0, 62)}--`, `${base64.slice(0, 40)}.${base64.slice(40)}`]) {
      expect(() => parseKeyring(bad), bad).toThrow(EncryptionKeyError);
      expect(() => parseKeyring(`new:${bad}`), bad).toThrow(/exactly 32 bytes/);
    }
  });

  it("refuses a missing or malformed key with a clear message", () => {
    expect(() => parseKeyring(undefined)).toThrow(EncryptionKeyError);
    expect(() => parseKeyring("")).toThrow(/ENCRYPTION_KEY is not set/);
    expect(() => parseKeyring("c2hvcnQ=")).toThrow(/32 bytes/);
    expect(() => parseKeyring(`bad id:${keyA.toString("base64")}`)).toThrow(/key id/);
    expect(() => parseKeyring(`a:${keyA.toString("base64")},a:${keyB.toString("base64")}`)).toThrow(/twice/);
    expect(() => parseKeyring(`a:${keyA.toString("base64")},b:${keyA.toString("hex")}`)).toThrow(/same key twice/);
  });
});

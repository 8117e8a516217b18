import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EncryptionKeyError, open, parseKeyring, seal } from "../../app/security/encryption.server.ts";

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

  it("rotates: the first key encrypts, older listed keys still decrypt", () => {
    const old = parseKeyring(`old:${keyA.toString("base64")}`);
    const sealed = seal("v", old);
    const rotated = parseKeyring(`new:${keyB.toString("base64")},old:${keyA.toString("base64")}`);
    expect(open(sealed.ciphertext, rotated)).toBe("v");
    expect(seal("v", rotated).keyId).toBe("new");
    const dropped = parseKeyring(`new:${keyB.toString("base64")}`);
    expect(() => open(sealed.ciphertext, dropped)).toThrow(/no longer lists/);
  });

  it("refuses a missing or malformed key with a clear message", () => {
    expect(() => parseKeyring(undefined)).toThrow(EncryptionKeyError);
    expect(() => parseKeyring("")).toThrow(/ENCRYPTION_KEY is not set/);
    expect(() => parseKeyring("c2hvcnQ=")).toThrow(/32 bytes/);
    expect(() => parseKeyring(`bad id:${keyA.toString("base64")}`)).toThrow(/key id/);
    expect(() => parseKeyring(`a:${keyA.toString("base64")},a:${keyB.toString("base64")}`)).toThrow(/twice/);
  });
});

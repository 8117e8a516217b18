// The keys stored credentials were sealed with, checked against ENCRYPTION_KEY (at start-up: serve and worker),
// and re-sealed with the first key (`affiliate-relay keys rotate`), after which older keys can be dropped.
import type { Db } from "../db/client.server.ts";
import { aadFor } from "../settings/store.server.ts";
import { EncryptionKeyError, keyringFromEnv, open, seal, sealedKeyId, type Keyring } from "./encryption.server.ts";

/** How many stored credentials each key id sealed. */
export async function storedKeyIds(db: Db): Promise<Map<string, number>> {
  const rows = await db.networkConnection.findMany({ where: { secretCiphertext: { not: null } }, select: { secretCiphertext: true } });
  const counts = new Map<string, number>();
  for (const row of rows) {
    const id = sealedKeyId(row.secretCiphertext!) ?? "(unreadable)";
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Key ids of stored credentials that ENCRYPTION_KEY does not list, sorted. */
export async function missingKeyIds(db: Db, keyring: Keyring = keyringFromEnv()): Promise<string[]> {
  return [...(await storedKeyIds(db)).keys()].filter((id) => !keyring.keys.has(id)).sort();
}

/**
 * The start-up check of serve and worker: a missing key refuses to start (EncryptionKeyError), but a database that
 * cannot be read yet (unreachable, not migrated) does not, so that /readyz can say what is wrong while it recovers.
 * Returns why the check could not run, for the start-up log.
 */
export async function checkStoredKeysAtStartup(db: Db, keyring: Keyring = keyringFromEnv()): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  // A database that does not answer must not hold the start-up: the process comes up and /readyz says why.
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer within 5 s")), 5_000);
  });
  try {
    await Promise.race([assertStoredKeysListed(db, keyring), gaveUp]);
    return null;
  } catch (error) {
    if (error instanceof EncryptionKeyError) throw error;
    return `stored credentials' keys not checked, the database could not be read: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Throws a one-line EncryptionKeyError naming every key id stored credentials need and ENCRYPTION_KEY lacks. */
export async function assertStoredKeysListed(db: Db, keyring: Keyring = keyringFromEnv()): Promise<void> {
  const missing = await missingKeyIds(db, keyring);
  if (!missing.length) return;
  throw new EncryptionKeyError(
    `ENCRYPTION_KEY does not list the key${missing.length === 1 ? "" : "s"} that stored credentials were encrypted with: ${missing.join(", ")} ` +
      "(add the old key after the new one, e.g. new:<new key>,old:<old key>, then run affiliate-relay keys rotate)",
  );
}

export interface RotationResult {
  /** Credentials re-sealed with the first key. */
  rotated: number;
  /** Credentials that already used it. */
  current: number;
}

/**
 * Re-seals every stored credential with the first key of the keyring. Nothing changes when any credential needs a
 * key the keyring lacks. A row saved meanwhile (settings import) is read again, so whatever key that save used,
 * the row ends under the first one.
 */
export async function rotateCredentials(db: Db, keyring: Keyring = keyringFromEnv()): Promise<RotationResult> {
  await assertStoredKeysListed(db, keyring);
  const rows = await db.networkConnection.findMany({ where: { secretCiphertext: { not: null } }, select: { id: true }, orderBy: { id: "asc" } });
  const result: RotationResult = { rotated: 0, current: 0 };
  for (const { id } of rows) {
    for (;;) {
      const row = await db.networkConnection.findUnique({ where: { id }, select: { shop: true, network: true, secretCiphertext: true } });
      const ciphertext = row?.secretCiphertext;
      if (!row || !ciphertext || sealedKeyId(ciphertext) === keyring.currentId) {
        result.current++;
        break;
      }
      const aad = aadFor(row.shop, row.network);
      const sealed = seal(open(ciphertext, keyring, aad), keyring, aad);
      // Only if the row still holds what was read: the credentials and their version are otherwise untouched.
      const { count } = await db.networkConnection.updateMany({
        where: { id, secretCiphertext: ciphertext },
        data: { secretCiphertext: sealed.ciphertext, secretKeyId: sealed.keyId },
      });
      if (count) {
        result.rotated++;
        break;
      }
    }
  }
  return result;
}

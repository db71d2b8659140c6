import { readFile } from 'node:fs/promises';
import { createMessage, decryptKey, readPrivateKey, sign, type PrivateKey } from 'openpgp';
import { SigningError } from '../core/errors.js';
import type { SigningKeyRef } from '../core/key-source.js';
import { readPassphrase } from './passphrase.js';
import type { Identity } from './object-text.js';

/** An unlocked OpenPGP secret key that siggate signs with itself (`--key FILE`). */
export interface KeyFileSigner {
  /** The file, or the name of the credential it came from. */
  path: string;
  /** Primary key fingerprint, 40 hex upper. */
  fingerprint: string;
  /** Name and email of the primary user ID, when it has them. */
  identity: Identity | null;
  key: PrivateKey;
}

/** Reads an armored secret key, unlocks it (passphrase from the environment or the terminal) and checks that it can sign now. */
export async function loadKeyFile(ref: SigningKeyRef, now: Date = new Date(), passphrase?: string): Promise<KeyFileSigner> {
  const path = typeof ref === 'string' ? ref : ref.name;
  let armored: string;
  try {
    armored = typeof ref === 'string' ? await readFile(ref, 'utf8') : ref.armored;
  } catch (error) {
    throw new SigningError(`cannot read the signing key ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  let key: PrivateKey;
  try {
    key = await readPrivateKey({ armoredKey: armored });
  } catch (error) {
    throw new SigningError(`${path} is not an armored OpenPGP secret key: ${(error as Error).message}`, { cause: error });
  }
  if (!key.isDecrypted()) key = await unlock(path, key, passphrase);
  try {
    await key.getSigningKey(undefined, now);
  } catch (error) {
    throw new SigningError(`${path} has no key that can sign now (expired, revoked, or no signing subkey): ${(error as Error).message}`, { cause: error });
  }
  const primary = await key.getPrimaryUser(now).catch(() => null);
  const uid = primary?.user.userID;
  const identity = uid?.name && uid.email ? { name: uid.name, email: uid.email } : null;
  return { path, fingerprint: key.getFingerprint().toUpperCase(), identity, key };
}

async function unlock(path: string, key: PrivateKey, given?: string): Promise<PrivateKey> {
  const passphrase = given ?? (await readPassphrase(`passphrase for ${path}`));
  try {
    return await decryptKey({ privateKey: key, passphrase });
  } catch (error) {
    throw new SigningError(`cannot unlock ${path}: wrong passphrase (SIGGATE_KEY_PASSPHRASE) or unsupported protection`, { cause: error });
  }
}

/** A detached, armored signature over `payload` made at `at`. */
export async function signDetached(signer: KeyFileSigner, payload: string | Uint8Array, at: Date): Promise<string> {
  const message = await createMessage({ binary: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload });
  return sign({ message, signingKeys: signer.key, detached: true, format: 'armored', date: at });
}

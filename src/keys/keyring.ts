import type { PublicKey, Subkey } from 'openpgp';
import type { AllowedSigner } from '../signatures/allowed-signers.js';

/** One OpenPGP public key from the keys directory. */
export interface OpenpgpKeyEntry {
  key: PublicKey;
  /** Primary key fingerprint, upper-case hex. */
  fingerprint: string;
  userId: string | null;
  source: string;
}

/** A key or subkey that can be named by a signature's issuer. */
export interface KeyComponent {
  entry: OpenpgpKeyEntry;
  /** The primary key itself, or one of its subkeys. */
  component: PublicKey | Subkey;
  fingerprint: string;
}

/** Every allowed signer found under `--keys`, indexed for lookup by full fingerprint and by key ID. */
export class Keyring {
  readonly byFingerprint = new Map<string, KeyComponent[]>();
  readonly byKeyId = new Map<string, KeyComponent[]>();

  constructor(
    readonly openpgp: readonly OpenpgpKeyEntry[],
    readonly ssh: readonly AllowedSigner[],
    readonly sources: readonly string[],
    /** SHA-256 over the content of every key file: part of the verification cache's policy. */
    readonly digest: string = '',
  ) {
    for (const entry of openpgp) {
      for (const component of [entry.key, ...entry.key.subkeys]) {
        const indexed: KeyComponent = { entry, component, fingerprint: component.getFingerprint().toUpperCase() };
        pushTo(this.byFingerprint, indexed.fingerprint, indexed);
        pushTo(this.byKeyId, component.getKeyID().toHex().toUpperCase(), indexed);
      }
    }
  }

  /** Primary fingerprints (OpenPGP) and `SHA256:` fingerprints (SSH) of every key present. */
  allFingerprints(): Set<string> {
    return new Set([...this.openpgp.map((e) => e.fingerprint), ...this.ssh.map((s) => s.fingerprint)]);
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

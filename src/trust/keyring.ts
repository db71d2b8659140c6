import type { KeyLookup } from '../core/allow-list.js';
import type { OpenpgpKeyring } from './openpgp/keyring.js';
import type { AllowedSigner } from './ssh/allowed-signers.js';

export type { KeyComponent, OpenpgpKeyEntry } from './openpgp/keyring.js';

/** Every allowed signer found in the keys: OpenPGP certificates and SSH allowed signers. */
export class Keyring implements KeyLookup {
  constructor(
    readonly openpgp: OpenpgpKeyring,
    readonly ssh: readonly AllowedSigner[],
    readonly sources: readonly string[],
    /** SHA-256 over the content of every key source: part of the verification cache's policy. */
    readonly digest: string = '',
  ) {}

  /** Primary fingerprints (OpenPGP) and `SHA256:` fingerprints (SSH) of every key present. */
  fingerprints(): Set<string> {
    return new Set([...this.openpgp.entries.map((e) => e.fingerprint), ...this.ssh.map((s) => s.fingerprint)]);
  }

  primariesWithKeyId(keyId: string): Set<string> {
    return new Set((this.openpgp.byKeyId.get(keyId) ?? []).map((c) => c.entry.fingerprint));
  }
}

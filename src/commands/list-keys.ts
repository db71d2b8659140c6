import { DEFAULT_KEYS } from '../core/gate-options.js';
import type { KeyRef } from '../core/key-source.js';
import { parseKeySources } from '../trust/key-sources.js';
import type { OpenpgpKeyEntry } from '../trust/keyring.js';
import { describeAlgorithm } from '../trust/openpgp/key-packet.js';
import { readKeySources } from './key-sources.js';
import { primaryStateAt, subkeyStateAt, USAGE } from '../trust/openpgp/validity.js';

/** One allowed signer as `siggate keys` shows it. */
export interface KeySummary {
  format: 'openpgp' | 'ssh';
  fingerprint: string;
  /** As gpg names it: `ed25519`, `rsa3072`, `nistp256`; SSH: the key type. */
  algorithm: string;
  userIds: string[];
  created: string | null;
  /** ISO time, `never`, or null when the key has no valid self-signature. */
  expires: string | null;
  revoked: boolean;
  /** When and why the key was revoked, and whether that voids every signature (hard) or only later ones (soft). */
  revocation: string | null;
  source: string;
  subkeys: { fingerprint: string; algorithm: string; created: string; usage: string; expires: string | null; revoked: boolean }[];
  warnings: string[];
}

const SOON_MS = 30 * 24 * 3600 * 1000;

/** List the keys under `keys` with what an operator needs to judge them; warns about keys expiring within 30 days. */
export async function listKeys(options: { keys?: readonly KeyRef[]; now?: Date; onWarning?: (message: string) => void }): Promise<KeySummary[]> {
  const now = options.now ?? new Date();
  const keyring = parseKeySources(await readKeySources(options.keys ?? [DEFAULT_KEYS]), options.onWarning);
  const summaries = keyring.openpgp.entries.map((entry) => summarizeOpenpgp(entry, now));
  for (const signer of keyring.ssh) {
    summaries.push({
      format: 'ssh',
      fingerprint: signer.fingerprint,
      algorithm: signer.keyType,
      userIds: signer.principals,
      created: null,
      expires: signer.validBefore ? signer.validBefore.toISOString() : 'never',
      revoked: false,
      revocation: null,
      source: `${signer.source}:${signer.line}`,
      subkeys: [],
      warnings: signer.certAuthority
        ? [`${signer.source}:${signer.line} is a cert-authority line: siggate does not accept SSH certificates, so it is not used for commit signatures`]
        : expiryWarnings(signer.validBefore, now, signer.fingerprint),
    });
  }
  return summaries;
}

function summarizeOpenpgp(entry: OpenpgpKeyEntry, now: Date): KeySummary {
  const verified = entry.verified();
  const state = primaryStateAt(verified, now, false);
  const expires = !state.bound ? null : state.expires ? state.expires.toISOString() : 'never';
  return {
    format: 'openpgp',
    fingerprint: entry.fingerprint,
    algorithm: describeAlgorithm(verified.primary),
    userIds: verified.userIds.filter((u) => u.record.kind === 'uid' && u.signatures.length > 0).map((u) => u.record.text ?? ''),
    created: verified.primary.created.toISOString(),
    expires,
    revoked: state.revocation !== null,
    revocation: state.revocation ? describe(state.revocation) : null,
    source: entry.source,
    subkeys: verified.subkeys.map((subkey) => {
      const sub = subkeyStateAt(subkey, now, false);
      return {
        fingerprint: subkey.key.fingerprint,
        algorithm: describeAlgorithm(subkey.key),
        created: subkey.key.created.toISOString(),
        usage: describeUsage(sub.usage),
        expires: !sub.bound ? null : sub.expires ? sub.expires.toISOString() : 'never',
        revoked: sub.revocation !== null,
      };
    }),
    warnings: state.expires ? expiryWarnings(state.expires, now, entry.fingerprint) : [],
  };
}

function describe(revocation: { at: Date; hard: boolean; reason: string; revoker: string | null }): string {
  const by = revocation.revoker ? ` by designated revoker ${revocation.revoker}` : '';
  const kind = revocation.hard ? 'hard, no signature by it is valid' : 'soft, signatures made before it stay valid';
  return `${revocation.at.toISOString().slice(0, 10)}${by}: ${revocation.reason} — ${kind}`;
}

function describeUsage(usage: number): string {
  const letters = [
    usage & USAGE.sign ? 'S' : '',
    usage & USAGE.certify ? 'C' : '',
    usage & USAGE.encrypt ? 'E' : '',
    usage & USAGE.authenticate ? 'A' : '',
  ].join('');
  return letters || '-';
}

function expiryWarnings(expires: Date | null, now: Date, fingerprint: string): string[] {
  if (!expires) return [];
  const left = expires.getTime() - now.getTime();
  if (left <= 0) return [`key ${fingerprint} expired on ${expires.toISOString().slice(0, 10)}`];
  if (left <= SOON_MS) return [`key ${fingerprint} expires on ${expires.toISOString().slice(0, 10)}, within 30 days`];
  return [];
}

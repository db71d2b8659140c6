import type { PublicKey } from 'openpgp';
import { loadKeys } from '../keys/load-keys.js';
import { PARSE_EVERYTHING } from '../signatures/openpgp-config.js';

/** One allowed signer as `siggate keys` shows it. */
export interface KeySummary {
  format: 'openpgp' | 'ssh';
  fingerprint: string;
  /** e.g. `ed25519`, `rsa 3072`. */
  algorithm: string;
  userIds: string[];
  created: string | null;
  /** ISO time, `never`, or null when the key has no valid self-signature. */
  expires: string | null;
  revoked: boolean;
  source: string;
  subkeys: { fingerprint: string; algorithm: string; created: string }[];
  warnings: string[];
}

const SOON_MS = 30 * 24 * 3600 * 1000;

/** List the keys under `keys` with what an operator needs to judge them; warns about keys expiring within 30 days. */
export async function listKeys(options: { keys?: string[]; now?: Date; onWarning?: (message: string) => void }): Promise<KeySummary[]> {
  const now = options.now ?? new Date();
  const keyring = await loadKeys(options.keys ?? ['./keys'], options.onWarning);
  const summaries: KeySummary[] = [];
  for (const entry of keyring.openpgp) summaries.push(await summarizeOpenpgp(entry.key, entry.source, now));
  for (const signer of keyring.ssh) {
    summaries.push({
      format: 'ssh',
      fingerprint: signer.fingerprint,
      algorithm: signer.keyType,
      userIds: signer.principals,
      created: null,
      expires: signer.validBefore ? signer.validBefore.toISOString() : 'never',
      revoked: false,
      source: `${signer.source}:${signer.line}`,
      subkeys: [],
      warnings: expiryWarnings(signer.validBefore, now, signer.fingerprint),
    });
  }
  return summaries;
}

async function summarizeOpenpgp(key: PublicKey, source: string, now: Date): Promise<KeySummary> {
  const fingerprint = key.getFingerprint().toUpperCase();
  const expiration = await key.getExpirationTime(undefined, PARSE_EVERYTHING).catch(() => null);
  const revoked = await key.isRevoked(undefined, undefined, now, PARSE_EVERYTHING).catch(() => false);
  const expires = expiration === null ? null : expiration === Infinity ? 'never' : (expiration as Date).toISOString();
  return {
    format: 'openpgp',
    fingerprint,
    algorithm: describeAlgorithm(key.getAlgorithmInfo()),
    userIds: key.getUserIDs(),
    created: key.getCreationTime().toISOString(),
    expires,
    revoked,
    source,
    subkeys: key.subkeys.map((subkey) => ({
      fingerprint: subkey.getFingerprint().toUpperCase(),
      algorithm: describeAlgorithm(subkey.getAlgorithmInfo()),
      created: subkey.getCreationTime().toISOString(),
    })),
    warnings: expiration instanceof Date ? expiryWarnings(expiration, now, fingerprint) : [],
  };
}

function expiryWarnings(expires: Date | null, now: Date, fingerprint: string): string[] {
  if (!expires) return [];
  const left = expires.getTime() - now.getTime();
  if (left <= 0) return [`key ${fingerprint} expired on ${expires.toISOString().slice(0, 10)}`];
  if (left <= SOON_MS) return [`key ${fingerprint} expires on ${expires.toISOString().slice(0, 10)}, within 30 days`];
  return [];
}

function describeAlgorithm(info: { algorithm: string; bits?: number; curve?: string }): string {
  if (info.curve) return `${info.algorithm} ${info.curve}`;
  return info.bits ? `${info.algorithm} ${info.bits}` : info.algorithm;
}

/**
 * The certificates of one `openpgp-policy.toml` as trust material: a checker over every certificate the
 * policy lists (whoever it authorizes), which certificates each keyring holds, and the keys its copies
 * revoke hard. Built once per policy blob.
 */
import type { KeyringSummary, SequoiaPolicy } from '../core/sequoia-policy.js';
import type { VerifyPolicy } from '../core/verdict.js';
import { KeyConfigError } from '../core/errors.js';
import type { CryptoPool } from './crypto/pool.js';
import { parseKeySources } from './key-sources.js';
import { findArmoredKeyBlocks } from './openpgp/armor.js';
import { readCertificates, type Certificate } from './openpgp/certificate.js';
import { OpenpgpFormatError, OpenpgpUnsupportedError } from './openpgp/packets.js';
import { primaryStateAt, subkeyStateAt } from './openpgp/validity.js';
import { SignatureChecker } from './signature-checker.js';

/** A policy's keys: `checker` is null when a keyring cannot be read (the policy then vouches for nobody). */
export interface SequoiaKeys {
  checker: SignatureChecker | null;
  problem: string | null;
  /** Primary and subkey fingerprints that a copy in this policy revokes hard (compromised, unspecified, no reason). */
  hardRevoked: ReadonlySet<string>;
}

/** Parse the certificates of a policy into a checker that accepts any of them; who may sign what is judged after. */
export function sequoiaKeysOf(policy: SequoiaPolicy, verify: VerifyPolicy, pool: CryptoPool | null, warn: (message: string) => void): SequoiaKeys {
  const sources = [...policy.authorizations.values()].map((a) => ({ name: `openpgp-policy.toml authorization ${JSON.stringify(a.name)}`, bytes: Buffer.from(a.keyring, 'utf8') }));
  if (sources.length === 0) return { checker: null, problem: 'the policy authorizes nobody', hardRevoked: new Set() };
  let keyring;
  try {
    keyring = parseKeySources(sources, warn);
  } catch (error) {
    if (!(error instanceof KeyConfigError)) throw error;
    return { checker: null, problem: error.message, hardRevoked: new Set() };
  }
  if (keyring.ssh.length > 0) return { checker: null, problem: 'a keyring holds an SSH key, not an OpenPGP certificate', hardRevoked: new Set() };
  const hardRevoked = new Set<string>();
  for (const entry of keyring.openpgp.entries) {
    const verified = entry.verified();
    const subkeys = verified.subkeys.map((s) => s.key.fingerprint);
    if (primaryStateAt(verified, verify.now, false).revocation?.hard) for (const fpr of [entry.fingerprint, ...subkeys]) hardRevoked.add(fpr);
    for (const subkey of verified.subkeys) if (subkeyStateAt(subkey, verify.now, false).revocation?.hard) hardRevoked.add(subkey.key.fingerprint);
  }
  return { checker: new SignatureChecker(keyring, { fingerprints: null, allows: () => true }, verify, pool), problem: null, hardRevoked };
}

/**
 * What a keyring string holds: for each certificate (by primary fingerprint, copies pooled), the set of
 * its (component, signature) pairs, each as text. Unreadable armor or packets make the whole summary
 * unreadable: a change to it cannot be judged.
 */
export function summarizeKeyring(keyring: string): KeyringSummary {
  const summary = new Map<string, Set<string>>();
  try {
    const blocks = findArmoredKeyBlocks(keyring);
    if (blocks.length === 0) return { ok: false, problem: 'no armored key block' };
    for (const block of blocks) {
      if (typeof block.data === 'string') return { ok: false, problem: block.data };
      if (block.kind !== 'public') return { ok: false, problem: 'a private key block' };
      const content = readCertificates(block.data);
      if (content.skipped.length > 0 || content.standalone.length > 0) return { ok: false, problem: content.skipped[0] ?? 'a signature outside any certificate' };
      // copies of one certificate are pooled, as sequoia-git merges them
      for (const certificate of content.certificates) {
        const pairs = summary.get(certificate.primary.fingerprint) ?? new Set<string>();
        for (const pair of signaturePairs(certificate)) pairs.add(pair);
        summary.set(certificate.primary.fingerprint, pairs);
      }
    }
  } catch (error) {
    if (error instanceof OpenpgpFormatError || error instanceof OpenpgpUnsupportedError) return { ok: false, problem: error.message };
    throw error;
  }
  return { ok: true, certificates: summary };
}

function signaturePairs(certificate: Certificate): Set<string> {
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
  const pairs = new Set<string>();
  for (const s of certificate.direct) pairs.add(`key ${b64(s.raw)}`);
  for (const uid of certificate.userIds) for (const s of uid.signatures) pairs.add(`${uid.kind} ${b64(uid.body)} ${b64(s.raw)}`);
  for (const subkey of certificate.subkeys) for (const s of subkey.signatures) pairs.add(`subkey ${subkey.key.fingerprint} ${b64(s.raw)}`);
  return pairs;
}

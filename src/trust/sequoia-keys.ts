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
import { mergeCertificate, readCertificates, type Certificate, type SignatureRecord } from './openpgp/certificate.js';
import { OpenpgpKeyring } from './openpgp/keyring.js';
import { SIG } from './openpgp/signature-packet.js';
import { Keyring } from './keyring.js';
import { OpenpgpFormatError, OpenpgpUnsupportedError } from './openpgp/packets.js';
import { primaryStateAt, subkeyStateAt } from './openpgp/validity.js';
import { SignatureChecker } from './signature-checker.js';

/** A policy's keys: `checker` is null when a keyring cannot be read (the policy then vouches for nobody). */
export interface SequoiaKeys {
  checker: SignatureChecker | null;
  /** Whether the certificate `fingerprint` carries a self-signature made after `at` (see {@link selfSignedAfter}). */
  selfSignedAfter: (fingerprint: string, at: Date) => boolean;
  problem: string | null;
  /** Primary and subkey fingerprints that a copy in this policy revokes hard (compromised, unspecified, no reason). */
  hardRevoked: ReadonlySet<string>;
}

/** Parse the certificates of a policy into a checker that accepts any of them; who may sign what is judged after. */
export function sequoiaKeysOf(policy: SequoiaPolicy, verify: VerifyPolicy, pool: CryptoPool | null, warn: (message: string) => void): SequoiaKeys {
  const sources = [...policy.authorizations.values()].map((a) => ({ name: `openpgp-policy.toml authorization ${JSON.stringify(a.name)}`, bytes: Buffer.from(a.keyring, 'utf8') }));
  if (sources.length === 0) return { checker: null, selfSignedAfter: () => true, problem: 'the policy authorizes nobody', hardRevoked: new Set() };
  let keyring;
  try {
    keyring = parseKeySources(sources, warn);
  } catch (error) {
    if (!(error instanceof KeyConfigError)) throw error;
    return { checker: null, selfSignedAfter: () => true, problem: error.message, hardRevoked: new Set() };
  }
  if (keyring.ssh.length > 0) return { checker: null, selfSignedAfter: () => true, problem: 'a keyring holds an SSH key, not an OpenPGP certificate', hardRevoked: new Set() };
  const hardRevoked = new Set<string>();
  for (const entry of keyring.openpgp.entries) {
    const verified = entry.verified();
    const subkeys = verified.subkeys.map((s) => s.key.fingerprint);
    if (primaryStateAt(verified, verify.now, false).revocation?.hard) for (const fpr of [entry.fingerprint, ...subkeys]) hardRevoked.add(fpr);
    for (const subkey of verified.subkeys) if (subkeyStateAt(subkey, verify.now, false).revocation?.hard) hardRevoked.add(subkey.key.fingerprint);
  }
  return { checker: new SignatureChecker(keyring, { fingerprints: null, allows: () => true }, verify, pool), selfSignedAfter: selfSignedAfterIn(keyring), problem: null, hardRevoked };
}

/**
 * siggate judges a key by GnuPG's rule (its newest self-signature, even one made after the signature);
 * sequoia-git by the self-signatures in force when the signature was made. The two agree unless the
 * certificate carries a self-signature newer than the signature: the caller refuses that case.
 */
function selfSignedAfterIn(keyring: Keyring): (fingerprint: string, at: Date) => boolean {
  return (fingerprint, at) => {
    const entry = keyring.openpgp.entries.find((e) => e.fingerprint === fingerprint);
    if (!entry) return true;
    const verified = entry.verified();
    const packets = [...verified.direct, ...verified.userIds.flatMap((u) => u.signatures), ...verified.subkeys.flatMap((s) => s.bindings.map((b) => b.packet))];
    return packets.some((p) => p.type !== SIG.certRevocation && (p.created?.getTime() ?? Infinity) > at.getTime());
  };
}

const REVOCATIONS = new Set<number>([SIG.keyRevocation, SIG.subkeyRevocation, SIG.certRevocation]);

/**
 * The checker for one edge whose child changed the policy (sequoia-git `Helper::get_certs`): the parent's
 * certificates, each merged with the child's copy of it stripped of revocations, so that a signer may
 * refresh an expired certificate or add a signing subkey in the commit that uses it. Certificates only the
 * child lists are never used, and the parent's revocations stay. Null when a parent keyring cannot be read
 * this way: the caller keeps the parent's keys alone, which is stricter.
 */
export function mergedCheckerOf(parent: SequoiaPolicy, child: SequoiaPolicy, verify: VerifyPolicy, pool: CryptoPool | null): Pick<SequoiaKeys, 'checker' | 'selfSignedAfter'> | null {
  const merged = new Map<string, { certificate: Certificate; source: string }>();
  for (const entry of parent.authorizations.values()) {
    const certificates = certificatesIn(entry.keyring);
    if (!certificates) return null;
    for (const certificate of certificates) {
      const known = merged.get(certificate.primary.fingerprint);
      if (known) mergeCertificate(known.certificate, certificate);
      else merged.set(certificate.primary.fingerprint, { certificate, source: `openpgp-policy.toml authorization ${JSON.stringify(entry.name)}` });
    }
  }
  if (merged.size === 0) return null;
  // the child's keyrings are optional: sequoia-git skips what it cannot parse there
  for (const entry of child.authorizations.values()) {
    for (const certificate of certificatesIn(entry.keyring) ?? []) {
      const known = merged.get(certificate.primary.fingerprint);
      if (known) mergeCertificate(known.certificate, withoutRevocations(certificate));
    }
  }
  const keyring = new Keyring(new OpenpgpKeyring([...merged.values()], []), [], [...merged.values()].map((m) => m.source));
  return { checker: new SignatureChecker(keyring, { fingerprints: null, allows: () => true }, verify, pool), selfSignedAfter: selfSignedAfterIn(keyring) };
}

/** The certificates of a keyring string, freshly parsed; null when any part is not a public certificate. */
function certificatesIn(keyring: string): Certificate[] | null {
  const certificates: Certificate[] = [];
  try {
    for (const block of findArmoredKeyBlocks(keyring)) {
      if (typeof block.data === 'string' || block.kind !== 'public') return null;
      const content = readCertificates(block.data);
      if (content.skipped.length > 0 || content.standalone.length > 0) return null;
      certificates.push(...content.certificates);
    }
  } catch (error) {
    if (error instanceof OpenpgpFormatError || error instanceof OpenpgpUnsupportedError) return null;
    throw error;
  }
  return certificates.length > 0 ? certificates : null;
}

/** A copy without revocation signatures (and without signatures that do not parse, which might be some). */
function withoutRevocations(certificate: Certificate): Certificate {
  const keep = (records: readonly SignatureRecord[]): SignatureRecord[] => records.filter((r) => r.packet !== null && !REVOCATIONS.has(r.packet.type));
  return {
    ...certificate,
    direct: keep(certificate.direct),
    userIds: certificate.userIds.map((u) => ({ ...u, signatures: keep(u.signatures) })),
    subkeys: certificate.subkeys.map((k) => ({ ...k, signatures: keep(k.signatures) })),
  };
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

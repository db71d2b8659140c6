import { MAX_SIGNATURE_BYTES } from '../../core/signature-format.js';
import { FUTURE_SKEW_MS, makeVerdict, type Signer, type Verdict, type VerifyPolicy } from '../../core/verdict.js';
import { CryptoPool } from '../crypto/pool.js';
import type { KeyComponent, OpenpgpKeyring } from './keyring.js';
import { dearmorSignature } from './armor.js';
import { prepareCheck } from './crypto.js';
import { bitLength, describeAlgorithm, PK } from './key-packet.js';
import { checkSigningKeyAt } from './key-validity.js';
import { OpenpgpFormatError, OpenpgpUnsupportedError } from './packets.js';
import { HASHES, parseSignatureBlock, SIG, type SignaturePacket } from './signature-packet.js';
import { signatureExpired } from './validity.js';

const WEAK_HASHES = new Set([1, 2, 3]);
const CR = 0x0d;

/** Verifies OpenPGP document signatures (commits, tags, artifacts) against one keyring. */
export class OpenpgpVerifier {
  constructor(
    private readonly keyring: OpenpgpKeyring,
    private readonly policy: VerifyPolicy,
    /** Checks on libuv's thread pool for ranges; null checks everything in this thread. */
    private readonly pool: CryptoPool | null = null,
  ) {}

  /** Verify an armored detached signature over `payload`. Never throws: every failure is a verdict. */
  async verify(armored: string, payload: Uint8Array): Promise<Verdict> {
    const parsed = readSignature(armored);
    if ('status' in parsed) return makeVerdict(parsed.status, 'openpgp', parsed.reason, { remedy: REMEDY[parsed.status] });
    const signature = parsed.packet;
    const signedAt = signature.created!;
    const data = signedData(signature, payload);
    if (typeof data === 'string') return makeVerdict('bad-signature', 'openpgp', data, { signedAt, remedy: REMEDY.textMode });
    if (signedAt.getTime() > this.policy.now.getTime() + FUTURE_SKEW_MS) {
      return makeVerdict('bad-signature', 'openpgp', `signature claims to be made in the future (${signedAt.toISOString()})`, {
        signedAt,
        remedy: "check the signer's clock and re-sign; siggate rejects signatures dated more than 5 minutes ahead",
      });
    }
    const candidates = this.findCandidates(signature);
    if (candidates.length === 0) {
      const issuer = issuerOf(signature);
      return makeVerdict('unknown-key', 'openpgp', `signed by ${issuer}, which is not in the keys`, {
        signedAt,
        remedy: `if ${issuer} belongs to an allowed signer, add their public key to the keys`,
      });
    }
    const found = await this.findVerifyingKey(signature, data, candidates);
    if (found === 'unsupported') {
      const algorithm = describeAlgorithm(candidates[0]!.key);
      return makeVerdict('unsupported', 'openpgp', `a ${algorithm} signature with hash ${signature.hashAlgorithm} cannot be verified here`, {
        signedAt, signer: describeSigner(candidates[0]!), remedy: REMEDY.unsupported,
      });
    }
    if (!found) {
      return makeVerdict('bad-signature', 'openpgp', 'signature does not verify over the signed content', {
        signedAt,
        signer: describeSigner(candidates[0]!),
        remedy: 'the object was altered after signing or the signature was copied from elsewhere; do not deploy it',
      });
    }
    return this.judgeSigner(signature, found, signedAt);
  }

  private judgeSigner(signature: SignaturePacket, signer: KeyComponent, signedAt: Date): Verdict {
    const described = describeSigner(signer);
    const validity = checkSigningKeyAt(signer, signedAt, this.policy.ignoreExpiry);
    if (!validity.ok && validity.status !== 'expired-key') {
      return makeVerdict(validity.status, 'openpgp', validity.reason, { signer: described, signedAt, remedy: remedyFor(validity.status, signer) });
    }
    // the signer chose this expiry on purpose: --ignore-expiry (meant for stale copies of keys) does not cover it
    if (signatureExpired(signature, this.policy.now)) {
      const expired = new Date(signedAt.getTime() + signature.expiresAfter! * 1000);
      return makeVerdict('expired-signature', 'openpgp', `the signature expired on ${expired.toISOString()} (its signer set an expiration time)`, {
        signer: described, signedAt, remedy: 'ask the signer for a new signature; an expired signature is not renewed by refreshing keys',
      });
    }
    if (!validity.ok) return makeVerdict(validity.status, 'openpgp', validity.reason, { signer: described, signedAt, remedy: remedyFor(validity.status, signer) });
    const weak = weakAlgorithmReason(signature.hashAlgorithm, signer);
    if (weak && (!this.policy.allowWeak || (this.policy.refuseWeakDigests && WEAK_HASHES.has(signature.hashAlgorithm)))) {
      return makeVerdict('weak-algorithm', 'openpgp', weak, {
        signer: described,
        signedAt,
        remedy: 're-sign with a modern key and SHA-256 or better, or pass --allow-weak for old history',
      });
    }
    return makeVerdict('valid', 'openpgp', validity.note, { signer: described, signedAt });
  }

  // Key IDs are 64-bit and collide: prefer the issuer fingerprint, and with only a key ID try every match.
  private findCandidates(signature: SignaturePacket): KeyComponent[] {
    if (signature.issuerFingerprint) return this.keyring.byFingerprint.get(signature.issuerFingerprint) ?? [];
    if (!signature.issuerKeyId) return [];
    return this.keyring.byKeyId.get(signature.issuerKeyId) ?? [];
  }

  private async findVerifyingKey(signature: SignaturePacket, data: Uint8Array, candidates: KeyComponent[]): Promise<KeyComponent | 'unsupported' | null> {
    let unsupported = false;
    for (const candidate of candidates) {
      const check = prepareCheck(signature, candidate.key, [data]);
      if (check === 'unsupported') unsupported = true;
      if (typeof check === 'string') continue;
      const verified = this.pool?.wants(check.job) ? await this.pool.verify(check.key, check.job) : CryptoPool.run(check.key, check.job);
      if (verified) return candidate;
    }
    return unsupported ? 'unsupported' : null;
  }
}

type ReadSignature = { packet: SignaturePacket } | { status: 'malformed' | 'unsupported' | 'bad-signature'; reason: string };

/** The single document signature of an armored block, or the verdict on why there is none. */
function readSignature(armored: string): ReadSignature {
  if (armored.length > MAX_SIGNATURE_BYTES) return { status: 'malformed', reason: `signature block is ${armored.length} bytes, over the ${MAX_SIGNATURE_BYTES}-byte limit` };
  const binary = dearmorSignature(armored);
  if (typeof binary === 'string') return { status: 'malformed', reason: binary };
  let packet: SignaturePacket;
  try {
    packet = parseSignatureBlock(binary);
  } catch (error) {
    if (error instanceof OpenpgpUnsupportedError) return { status: 'unsupported', reason: error.message };
    if (error instanceof OpenpgpFormatError) return { status: 'malformed', reason: `cannot parse the OpenPGP signature: ${error.message}` };
    throw error;
  }
  if (!packet.created) return { status: 'malformed', reason: 'signature has no signed creation time' };
  if (packet.type !== SIG.binary && packet.type !== SIG.text) return { status: 'bad-signature', reason: `signature type 0x${packet.type.toString(16)} is not a document signature` };
  if (!HASHES[packet.hashAlgorithm]) return { status: 'unsupported', reason: `hash algorithm ${packet.hashAlgorithm} is not supported` };
  if (packet.unknownCritical !== null) return { status: 'bad-signature', reason: `signature carries critical subpacket ${packet.unknownCritical}, which GnuPG does not understand` };
  return { packet };
}

/**
 * What the signature is over. A text-mode signature (0x01) is over the text with CRLF line endings; git
 * never writes CR, and GnuPG would also accept a copy whose lines end in CRLF (a new object nobody
 * signed), so text mode is only accepted for content without CR.
 */
function signedData(signature: SignaturePacket, payload: Uint8Array): Uint8Array | string {
  if (signature.type !== SIG.text) return payload;
  if (payload.includes(CR)) return 'a text-mode signature over content that contains CR: its line endings are ambiguous, so it proves nothing about these exact bytes';
  return Buffer.from(Buffer.from(payload).toString('latin1').replaceAll('\n', '\r\n'), 'latin1');
}

/** Why the signature's digest or key is too weak (rule 5), or null. */
export function weakAlgorithmReason(hashAlgorithm: number, signer: KeyComponent): string | null {
  if (WEAK_HASHES.has(hashAlgorithm)) return `signature uses the ${HASHES[hashAlgorithm]!.toUpperCase()} digest`;
  const key = signer.key;
  if (key.algorithm === PK.dsa) return 'signing key is DSA';
  const rsa = key.algorithm === PK.rsa || key.algorithm === PK.rsaSign;
  if (rsa && bitLength(key.params.n) < 2048) return `signing key is RSA-${bitLength(key.params.n)}, under 2048 bits`;
  return null;
}

const signers = new WeakMap<KeyComponent, Signer>();

/** The signer of a (sub)key, one object per key so that verdicts share it. */
export function describeSigner(signer: KeyComponent): Signer {
  let described = signers.get(signer);
  if (!described) {
    described = { fingerprint: signer.entry.fingerprint, signingKey: signer.fingerprint, userId: signer.entry.userId(), source: signer.entry.source };
    signers.set(signer, described);
  }
  return described;
}

function issuerOf(signature: SignaturePacket): string {
  if (signature.issuerFingerprint) return `key ${signature.issuerFingerprint}`;
  if (!signature.issuerKeyId) return 'an anonymous key (no issuer)';
  return `key ID ${signature.issuerKeyId}`;
}

function remedyFor(status: string, signer: KeyComponent): string {
  // where: the key source as the user named it (./keys/ana.asc, s3://bucket/keys/ana.asc, an inline key of the pipeline)
  const where = signer.entry.source;
  if (status === 'expired-key') {
    return `key ${signer.fingerprint} had expired when it signed; if its owner has since extended it, refresh ${where} with the current public key, else pass --ignore-expiry for old history`;
  }
  if (status === 'revoked-key') return `key ${signer.fingerprint} in ${where} is revoked; re-sign with a valid key`;
  return `key ${signer.fingerprint} in ${where} cannot make this signature; check its subkeys, key flags and back-signatures`;
}

const REMEDY: Record<string, string> = {
  malformed: 'the signature block is damaged; re-sign the commit',
  unsupported: 'sign with an RSA (2048+), ECDSA or Ed25519 key (a v4 OpenPGP signature), as GnuPG 2.2 verifies them',
  'bad-signature': 'the signature is not a valid commit signature; re-sign the commit',
  textMode: 'a text-mode signature cannot vouch for content with CR bytes; re-sign it as a binary signature (as git does)',
};

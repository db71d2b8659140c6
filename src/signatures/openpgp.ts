import { enums, LiteralDataPacket, type PublicKey, type SignaturePacket } from 'openpgp';
import { FUTURE_SKEW_MS, makeVerdict, type Signer, type Verdict, type VerifyPolicy } from '../core/verdict.js';
import { MAX_SIGNATURE_BYTES } from '../core/signature-format.js';
import type { KeyComponent, Keyring, OpenpgpKeyEntry } from '../keys/keyring.js';
import { PARSE_EVERYTHING } from './openpgp-config.js';
import { parseSignaturePacket, type SignatureInfo } from './openpgp-packet.js';
import { dearmorSignature } from './armor.js';
import { CryptoPool } from './crypto-pool.js';
import { prepareNodeCheck } from './openpgp-crypto.js';
import { checkSigningKeyAt, withoutExpiry } from './openpgp-validity.js';

const WEAK_HASHES = new Set<number>([enums.hash.md5, enums.hash.sha1, enums.hash.ripemd]);
const DOCUMENT_SIGNATURES = new Set<number>([enums.signature.binary, enums.signature.text]);

/** Verifies OpenPGP signatures against one keyring, remembering per-run derived key views. */
export class OpenpgpVerifier {
  private readonly unexpiring = new Map<OpenpgpKeyEntry, Promise<PublicKey>>();

  constructor(
    private readonly keyring: Keyring,
    private readonly policy: VerifyPolicy,
    /** Worker threads for long ranges; null checks everything in this thread. */
    private readonly pool: CryptoPool | null = null,
  ) {}

  /** Verify an armored detached signature over `payload`. Never throws: every failure is a verdict. */
  async verify(armored: string, payload: Uint8Array): Promise<Verdict> {
    const parsed = await parseSignature(armored);
    if (typeof parsed === 'string') return makeVerdict('malformed', 'openpgp', parsed, { remedy: REMEDY.malformed });
    const signedAt = parsed.created;
    if (!signedAt) return makeVerdict('malformed', 'openpgp', 'signature has no signed creation time');
    if (!DOCUMENT_SIGNATURES.has(parsed.signatureType)) {
      return makeVerdict('bad-signature', 'openpgp', `signature type ${parsed.signatureType} is not a document signature`);
    }
    if (signedAt.getTime() > this.policy.now.getTime() + FUTURE_SKEW_MS) {
      return makeVerdict('bad-signature', 'openpgp', `signature claims to be made in the future (${signedAt.toISOString()})`, {
        signedAt,
        remedy: "check the signer's clock and re-sign; siggate rejects signatures dated more than 5 minutes ahead",
      });
    }
    const candidates = this.findCandidates(parsed);
    if (candidates.length === 0) {
      const issuer = issuerOf(parsed);
      return makeVerdict('unknown-key', 'openpgp', `signed by ${issuer}, which is not in the keys directory`, {
        signedAt,
        remedy: `if ${issuer} belongs to an allowed signer, add their public key to the keys directory`,
      });
    }
    const signer = await findVerifyingKey(parsed, payload, candidates, this.pool);
    if (!signer) {
      return makeVerdict('bad-signature', 'openpgp', 'signature does not verify over the signed content', {
        signedAt,
        signer: describeSigner(candidates[0]!),
        remedy: 'the object was altered after signing or the signature was copied from elsewhere; do not deploy it',
      });
    }
    return this.judgeSigner(parsed, signer, signedAt);
  }

  private async judgeSigner(signature: SignatureInfo, signer: KeyComponent, signedAt: Date): Promise<Verdict> {
    const described = describeSigner(signer);
    const validity = await checkSigningKeyAt(signer, signedAt, this.policy.ignoreExpiry, (entry) => this.unexpiringView(entry));
    if (!validity.ok) {
      return makeVerdict(validity.status, 'openpgp', validity.reason, {
        signer: described,
        signedAt,
        remedy: remedyFor(validity.status, signer),
      });
    }
    const weak = weakAlgorithmReason(signature.hashAlgorithm, signer);
    if (weak && !this.policy.allowWeak) {
      return makeVerdict('weak-algorithm', 'openpgp', weak, {
        signer: described,
        signedAt,
        remedy: 're-sign with a modern key and SHA-256 or better, or pass --allow-weak for old history',
      });
    }
    return makeVerdict('valid', 'openpgp', validity.note, { signer: described, signedAt });
  }

  // Key IDs are 64-bit and collide: prefer the issuer fingerprint, and with only a key ID try every match.
  private findCandidates(signature: SignatureInfo): KeyComponent[] {
    if (signature.issuerFingerprint) return this.keyring.byFingerprint.get(signature.issuerFingerprint) ?? [];
    if (!signature.issuerKeyId) return [];
    return this.keyring.byKeyId.get(signature.issuerKeyId) ?? [];
  }

  private unexpiringView(entry: OpenpgpKeyEntry): Promise<PublicKey> {
    let view = this.unexpiring.get(entry);
    if (!view) {
      view = withoutExpiry(entry.key);
      this.unexpiring.set(entry, view);
    }
    return view;
  }
}

/** The single signature packet of an armored block, or why there is none. */
async function parseSignature(armored: string): Promise<SignatureInfo | string> {
  if (armored.length > MAX_SIGNATURE_BYTES) return `signature block is ${armored.length} bytes, over the ${MAX_SIGNATURE_BYTES}-byte limit`;
  const binary = dearmorSignature(armored);
  if (typeof binary === 'string') return binary;
  try {
    return await parseSignaturePacket(binary);
  } catch (error) {
    return `cannot parse the OpenPGP signature: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function findVerifyingKey(
  signature: SignatureInfo,
  payload: Uint8Array,
  candidates: KeyComponent[],
  pool: CryptoPool | null,
): Promise<KeyComponent | null> {
  const fallback: KeyComponent[] = [];
  for (const candidate of candidates) {
    const check = prepareNodeCheck(signature, candidate.component.keyPacket, payload);
    if (check === null) fallback.push(candidate);
    if (!check) continue;
    const verified = pool?.wants() ? await pool.verify(check.key, check.job) : CryptoPool.run(check.key, check.job);
    if (verified) return candidate;
  }
  return fallback.length > 0 ? verifyWithOpenpgp(await signature.packet(), payload, fallback) : null;
}

/** openpgp.js's own check, for algorithms, versions and subpackets the node:crypto path leaves out. */
async function verifyWithOpenpgp(signature: SignaturePacket, payload: Uint8Array, candidates: KeyComponent[]): Promise<KeyComponent | null> {
  const literal = new LiteralDataPacket() as unknown as LiteralWithBytes;
  literal.setBytes(payload, enums.literal.binary);
  // date null: openpgp.js skips its own clock checks; the trust model's time rules are applied by siggate
  const verify = signature.verify.bind(signature) as unknown as RawVerify;
  await replaceHashPrefix(signature, literal);
  for (const candidate of candidates) {
    try {
      await verify(candidate.component.keyPacket, signature.signatureType!, literal, null, true, PARSE_EVERYTHING);
      return candidate;
    } catch {
      // try the next key with this ID
    }
  }
  return null;
}

/**
 * The two-byte digest prefix in a signature is a quick-check hint, not part of what is signed. GnuPG
 * ignores it; GitHub's older web-flow signatures carry a wrong one. Let the cryptographic check decide.
 */
async function replaceHashPrefix(signature: SignaturePacket, literal: LiteralWithBytes): Promise<void> {
  const raw = signature as unknown as RawSignature;
  const digest = await raw.hash(signature.signatureType!, literal, raw.toHash(signature.signatureType!, literal, true));
  raw.signedHashValue = digest.subarray(0, 2);
}

/** Why the signature's digest or key is too weak (rule 5), or null. */
export function weakAlgorithmReason(hashAlgorithm: number, signer: KeyComponent): string | null {
  if (WEAK_HASHES.has(hashAlgorithm)) return `signature uses the ${enums.read(enums.hash, hashAlgorithm).toUpperCase()} digest`;
  const info = signer.component.getAlgorithmInfo();
  if (info.algorithm === 'dsa') return 'signing key is DSA';
  if (info.algorithm.startsWith('rsa') && (info.bits ?? 0) < 2048) return `signing key is RSA-${info.bits}, under 2048 bits`;
  return null;
}

const signers = new WeakMap<KeyComponent, Signer>();

/** The signer of a (sub)key, one object per key so that verdicts share it. */
export function describeSigner(signer: KeyComponent): Signer {
  let described = signers.get(signer);
  if (!described) {
    described = { fingerprint: signer.entry.fingerprint, signingKey: signer.fingerprint, userId: signer.entry.userId, source: signer.entry.source };
    signers.set(signer, described);
  }
  return described;
}

function issuerOf(signature: SignatureInfo): string {
  if (signature.issuerFingerprint) return `key ${signature.issuerFingerprint}`;
  if (!signature.issuerKeyId) return 'an anonymous key (no issuer)';
  return `key ID ${signature.issuerKeyId}`;
}

function remedyFor(status: string, signer: KeyComponent): string {
  const where = `${signer.entry.source}`;
  if (status === 'expired-key') {
    return `key ${signer.fingerprint} had expired when it signed (${where}); if its owner extended it, refresh that file, else pass --ignore-expiry for old history`;
  }
  if (status === 'revoked-key') return `key ${signer.fingerprint} is revoked (${where}); re-sign the commit with a valid key`;
  return `key ${signer.fingerprint} in ${where} cannot make this signature; check its subkeys and back-signatures`;
}

const REMEDY = {
  malformed: 'the signature block is damaged; re-sign the commit',
};

/** Parts of openpgp.js's runtime API that its type declarations leave out or mark private. */
interface LiteralWithBytes {
  setBytes(bytes: Uint8Array, format: enums.literal): void;
}
interface RawSignature {
  signedHashValue: Uint8Array;
  toHash(type: number, data: LiteralWithBytes, detached: boolean): Uint8Array;
  hash(type: number, data: LiteralWithBytes, toHash: Uint8Array): Promise<Uint8Array>;
}
type RawVerify = (key: unknown, type: number, data: LiteralWithBytes, date: Date | null, detached: boolean, config: unknown) => Promise<void>;

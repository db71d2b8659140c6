import { constants, createHash, verify as verifyBytes } from 'node:crypto';
import { makeVerdict, type Signer, type Verdict, type VerdictStatus, type VerifyPolicy } from '../../core/verdict.js';
import { sshFingerprint, type AllowedSigner } from './allowed-signers.js';
import { authorizeSshSigner } from './principals.js';
import {
  EC_CURVES, SSHSIG_MAGIC, SignatureProblem, encodeWireString, leftPad, parseSshSignature, type SshSig,
} from './sshsig.js';

/** What SSH verification needs besides the signature: the committer time (SSHSIG carries none) and the policy. */
export interface SshVerifyContext {
  committerTime: Date | null;
  policy: VerifyPolicy;
  /** The namespace the signature must have been made for. Default `git`. */
  namespace?: string;
}

/** The only RSA signature algorithms an SSHSIG may use (PROTOCOL.sshsig); never SHA-1 `ssh-rsa`. */
const RSA_SIG_HASHES: Readonly<Record<string, string>> = {
  'rsa-sha2-256': 'sha256',
  'rsa-sha2-512': 'sha512',
};
const REMEDY_RESIGN = 're-sign with a plain ssh-ed25519, ecdsa or rsa key (git commit --amend -S)';

/**
 * Verifies an armored SSHSIG signature over `payload` against the allowed signers.
 * Pure and synchronous; every bad input ends as a Verdict with format `ssh`, never as an exception.
 */
export function verifySshSignature(
  armored: string,
  payload: Uint8Array,
  signers: readonly AllowedSigner[],
  context: SshVerifyContext,
): Verdict {
  let sig: SshSig;
  try {
    sig = parseSshSignature(armored, context.policy.allowWeak);
  } catch (error) {
    const status = error instanceof SignatureProblem ? error.status : 'malformed';
    const reason = error instanceof Error ? error.message : String(error);
    return makeVerdict(status, 'ssh', reason, { remedy: REMEDY_RESIGN });
  }
  const fingerprint = sshFingerprint(sig.keyBlob);
  // A cert-authority entry vouches for certificates signed by that key, never for the key itself.
  const matches = signers.filter((s) => !s.certAuthority && Buffer.compare(s.keyBlob, sig.keyBlob) === 0);
  if (matches.length === 0) {
    return makeVerdict('unknown-key', 'ssh', `SSH key ${fingerprint} (${sig.key.type}) is not an allowed signer`, {
      signer: { fingerprint, signingKey: fingerprint, userId: null },
      signedAt: context.committerTime,
      remedy: `if ${fingerprint} belongs to an allowed signer, add it to ${allowedSignersFileOf(signers)}`,
    });
  }
  return judgeKnownKey(sig, payload, matches, context);
}

function judgeKnownKey(sig: SshSig, payload: Uint8Array, matches: AllowedSigner[], context: SshVerifyContext): Verdict {
  const namespace = context.namespace ?? 'git';
  const fingerprint = sshFingerprint(sig.keyBlob);
  const conclude = (entry: AllowedSigner, status: VerdictStatus, reason: string | null, remedy?: string, principal?: string) =>
    makeVerdict(status, 'ssh', reason, {
      signer: signerOf(entry, fingerprint, principal), signedAt: context.committerTime,
      remedy,
    });
  if (sig.namespace !== namespace) {
    const reason = `signature was made for namespace ${JSON.stringify(sig.namespace)}, not "${namespace}"`;
    return conclude(matches[0]!, 'bad-signature', reason, `re-sign with ssh-keygen -Y sign -n ${namespace}`);
  }
  // PROTOCOL.sshsig allows only rsa-sha2-256/512; OpenSSH refuses ssh-rsa (SHA-1) whatever the flags.
  if (sig.key.type === 'ssh-rsa' && !RSA_SIG_HASHES[sig.sigType]) {
    const reason = `RSA signature algorithm ${JSON.stringify(sig.sigType)} is not valid in an SSH signature (only rsa-sha2-256/512)`;
    return conclude(matches[0]!, 'bad-signature', reason, 're-sign with ssh-keygen -Y sign or git (both use rsa-sha2-512)');
  }
  if (!verifySignedData(sig, payload)) {
    const reason = `SSH signature by ${fingerprint} does not verify over the signed data`;
    return conclude(matches[0]!, 'bad-signature', reason, 'the object changed after signing; re-sign it or discard it');
  }
  const authorization = authorizeSshSigner(matches, namespace, context.committerTime);
  if (!authorization.ok) {
    const { status, reason, remedy } = authorization.rejection;
    return conclude(authorization.entry, status, reason, remedy);
  }
  const { entry, principal } = authorization;
  if (sig.key.weakness !== null && !context.policy.allowWeak) {
    const remedy = 're-sign with an ed25519 key, or pass --allow-weak for old history';
    return conclude(entry, 'weak-algorithm', sig.key.weakness, remedy, principal);
  }
  return conclude(entry, 'valid', null, undefined, principal);
}

/** The signer as reported: the principal that verified, else the entry's first principal. */
/** Where a new SSH signer goes: the allowed_signers file the keys already have, else one to create among them. */
function allowedSignersFileOf(signers: readonly AllowedSigner[]): string {
  const file = signers.find((s) => /(^|\/)(allowed_signers|[^/]*\.allowed_signers)$/.test(s.source))?.source;
  return file ?? 'an allowed_signers file among the keys (--keys)';
}

function signerOf(entry: AllowedSigner, fingerprint: string, principal?: string): Signer {
  const source = `${entry.source}:${entry.line}`;
  return { fingerprint, signingKey: fingerprint, userId: principal ?? entry.principals[0] ?? null, source };
}

/** The signed data always holds an empty reserved field, whatever the blob's says: OpenSSH builds it so. */
function verifySignedData(sig: SshSig, payload: Uint8Array): boolean {
  const digest = createHash(sig.hashAlgorithm).update(payload).digest();
  const fields = [Buffer.from(sig.namespace, 'latin1'), Buffer.alloc(0), Buffer.from(sig.hashAlgorithm), digest];
  const signed = Buffer.concat([SSHSIG_MAGIC, ...fields.map(encodeWireString)]);
  const { keyObject, type, modulusBytes } = sig.key;
  try {
    if (type === 'ssh-ed25519') return sig.sigType === type && verifyBytes(null, signed, keyObject, sig.sigBytes);
    if (type === 'ssh-rsa') {
      const hash = RSA_SIG_HASHES[sig.sigType];
      if (!hash || sig.sigBytes.length > modulusBytes) return false;
      const rsaKey = { key: keyObject, padding: constants.RSA_PKCS1_PADDING };
      return verifyBytes(hash, signed, rsaKey, leftPad(sig.sigBytes, modulusBytes));
    }
    const ecKey = { key: keyObject, dsaEncoding: 'ieee-p1363' as const };
    return sig.sigType === type && verifyBytes(EC_CURVES[type]!.hash, signed, ecKey, sig.sigBytes);
  } catch {
    return false;
  }
}

import type { ParsedCommit } from '../core/commit.js';
import { toCommitReport, type CommitReport } from '../core/report.js';
import { detectSignatureFormat, MAX_SIGNATURE_BYTES } from '../core/signature-format.js';
import type { ParsedTag } from '../core/tag.js';
import { makeVerdict, type Verdict, type VerifyPolicy } from '../core/verdict.js';
import type { AllowList } from '../core/allow-list.js';
import type { Keyring } from './keyring.js';
import type { CryptoPool } from './crypto/pool.js';
import { OpenpgpVerifier } from './openpgp/verify.js';
import { verifySshSignature } from './ssh/verify.js';

/** Statuses reached only after the signing key was found in the keyring and the signature verified. */
const JUDGED_SIGNER = new Set(['valid', 'expired-key', 'expired-signature', 'revoked-key', 'weak-algorithm']);

/** What a signed object offers for checking. */
export interface SignedObject {
  signature: string | null;
  payload: Uint8Array;
  /** Committer (or tagger) time: SSH signatures are judged at it. */
  signedTime: Date | null;
  /** The SSH signature namespace the signer must have used: `git` (default) for objects, `file` for artifacts. */
  namespace?: string;
}

/** Applies the whole trust model to one signature: format, cryptography, key validity, allow list. */
export class SignatureChecker {
  private readonly openpgp: OpenpgpVerifier;

  constructor(
    private readonly keyring: Keyring,
    private readonly allowList: AllowList,
    private readonly policy: VerifyPolicy,
    pool: CryptoPool | null = null,
  ) {
    this.openpgp = new OpenpgpVerifier(keyring.openpgp, policy, pool);
  }

  /** The report entry of one commit (null: the object is not a readable commit). */
  async checkCommit(oid: string, commit: ParsedCommit | null): Promise<CommitReport> {
    if (commit === null) return toCommitReport(oid, '', makeVerdict('malformed', 'none', `object ${oid} is not a readable commit`));
    if (commit.problems.length > 0) {
      return toCommitReport(oid, commit.subject, makeVerdict('malformed', 'none', commit.problems.join('; '), {
        remedy: 'this commit object is not well formed; it cannot be trusted whatever its signature',
      }));
    }
    let verdict = await this.check({ signature: commit.signature, payload: commit.payload, signedTime: commit.committerTime });
    if (verdict.status === 'unsigned' && commit.otherAlgorithmSignature) {
      verdict = { ...verdict, reason: `no signature for this repository's hash algorithm (only a signature for the other one)` };
    }
    return toCommitReport(oid, commit.subject, verdict);
  }

  /** The verdict on an annotated tag object's own signature. */
  async checkTag(tag: ParsedTag): Promise<Verdict> {
    if (tag.problems.length > 0) return makeVerdict('malformed', 'none', tag.problems.join('; '));
    return this.check({ signature: tag.signature, payload: tag.payload, signedTime: tag.taggerTime });
  }

  /** The verdict on one signature over its payload: format, cryptography, key validity, allow list. Never throws. */
  async check(object: SignedObject): Promise<Verdict> {
    if (object.signature === null) {
      return makeVerdict('unsigned', 'none', 'no signature', { remedy: 'sign it (git commit -S / git tag -s) with an allowed key' });
    }
    let verdict: Verdict;
    try {
      verdict = await this.checkSignature(object.signature, object);
    } catch (error) {
      // fail closed: input no parser path foresaw is a verdict on this object, never a crash of the whole range
      const reason = `the signature could not be checked: ${error instanceof Error ? error.message : String(error)}`;
      verdict = makeVerdict('malformed', detectSignatureFormat(object.signature) ?? 'none', reason, { remedy: 'the signature block is damaged; re-sign it' });
    }
    return this.applyAllowList(verdict);
  }

  private async checkSignature(signature: string, object: SignedObject): Promise<Verdict> {
    if (signature.length > MAX_SIGNATURE_BYTES) {
      return makeVerdict('malformed', 'none', `signature block is ${signature.length} bytes, over the ${MAX_SIGNATURE_BYTES}-byte limit`);
    }
    const format = detectSignatureFormat(signature);
    switch (format) {
      case 'openpgp':
        return this.openpgp.verify(signature, object.payload);
      case 'ssh':
        return verifySshSignature(signature, object.payload, this.keyring.ssh, {
          committerTime: object.signedTime,
          policy: this.policy,
          ...(object.namespace ? { namespace: object.namespace } : {}),
        });
      case 'x509':
        return makeVerdict('unsupported', 'x509', 'x509/CMS signatures are not verified by siggate', {
          remedy: 'sign with an OpenPGP or SSH key from the keys directory',
        });
      default:
        return makeVerdict('malformed', 'none', 'signature header does not hold a known signature block');
    }
  }

  // Identified signers outside the allow list are refused whatever else holds for them.
  private applyAllowList(verdict: Verdict): Verdict {
    const signer = verdict.signer;
    if (!signer || !JUDGED_SIGNER.has(verdict.status)) return verdict;
    if (this.allowList.allows(signer.fingerprint)) return verdict;
    return {
      ...verdict,
      status: 'not-allowed',
      reason: `signed by ${signer.fingerprint}, which is in the keys directory but not in the allow list`,
      remedy: `add --allow ${signer.fingerprint} if this signer may deploy`,
    };
  }
}

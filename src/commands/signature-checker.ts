import { detectSignatureFormat, MAX_SIGNATURE_BYTES } from '../core/signature-format.js';
import { makeVerdict, type Verdict, type VerifyPolicy } from '../core/verdict.js';
import type { AllowList } from '../keys/allow-list.js';
import type { Keyring } from '../trust/keyring.js';
import type { CryptoPool } from '../trust/crypto-pool.js';
import { OpenpgpVerifier } from '../trust/openpgp/verify.js';
import { verifySshSignature } from '../signatures/ssh.js';

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
    this.openpgp = new OpenpgpVerifier(keyring, policy, pool);
  }

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

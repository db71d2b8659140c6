/** Every status a checked commit or tag can get (DESIGN.md, "Verdicts"). */
export type VerdictStatus =
  | 'valid'
  | 'unsigned'
  | 'unknown-key'
  | 'not-allowed'
  | 'bad-signature'
  | 'expired-key'
  | 'expired-signature'
  | 'revoked-key'
  | 'weak-algorithm'
  | 'malformed'
  | 'unsupported';

/** The signature format found on an object. */
export type SignatureFormat = 'openpgp' | 'ssh' | 'x509' | 'none';

/** Who made a signature, once the signing key has been identified. */
export interface Signer {
  /** OpenPGP: primary key fingerprint, 40 (or 64) hex upper. SSH: `SHA256:…` as OpenSSH prints it. */
  fingerprint: string;
  /** OpenPGP: the (sub)key that made the signature. SSH: same as `fingerprint`. */
  signingKey: string;
  /** OpenPGP: primary user ID. SSH: the principal from allowed_signers. */
  userId: string | null;
  /** Where the key came from (file path), for remedies. */
  source?: string;
}

/** The outcome of checking one signature: data, never an exception. */
export interface Verdict {
  status: VerdictStatus;
  format: SignatureFormat;
  signer: Signer | null;
  signedAt: Date | null;
  reason: string | null;
  /** A one-line suggestion for the human report; absent when valid. */
  remedy?: string;
}

export function makeVerdict(
  status: VerdictStatus,
  format: SignatureFormat,
  reason: string | null,
  extra: Partial<Pick<Verdict, 'signer' | 'signedAt' | 'remedy'>> = {},
): Verdict {
  return {
    status,
    format,
    signer: extra.signer ?? null,
    signedAt: extra.signedAt ?? null,
    reason,
    ...(extra.remedy ? { remedy: extra.remedy } : {}),
  };
}

/** What a verifier needs besides the signature: the clock and the policy flags. */
export interface VerifyPolicy {
  /** The verifier's clock; signatures more than `FUTURE_SKEW_MS` past it are rejected. */
  now: Date;
  ignoreExpiry: boolean;
  allowWeak: boolean;
  /** SHA-1 and MD5 digests stay weak even with `allowWeak` (Guix refuses them in a channel). */
  refuseWeakDigests?: boolean;
}

export const FUTURE_SKEW_MS = 5 * 60 * 1000;

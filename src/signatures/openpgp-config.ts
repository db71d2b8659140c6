import { config as defaults, type Config } from 'openpgp';

/**
 * openpgp.js must *parse* SHA-1, DSA and short RSA so that siggate can say `weak-algorithm` itself
 * instead of failing opaquely; the policy decides (see `weakAlgorithmReason`).
 */
export const PARSE_EVERYTHING: Config = {
  ...defaults,
  rejectHashAlgorithms: new Set(),
  rejectMessageHashAlgorithms: new Set(),
  rejectPublicKeyAlgorithms: new Set(),
  rejectCurves: new Set(),
  minRSABits: 512,
  allowMissingKeyFlags: true,
  ignoreUnsupportedPackets: true,
  ignoreMalformedPackets: false,
};

/** Signature blocks must hold nothing we skip silently. */
export const STRICT_SIGNATURE_PARSING: Config = { ...PARSE_EVERYTHING, ignoreUnsupportedPackets: false };

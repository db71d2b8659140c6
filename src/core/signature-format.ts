import type { SignatureFormat } from './verdict.js';

/** Which verifier a signature block belongs to, from its first line, as git's `get_format_by_sig`. */
export function detectSignatureFormat(signature: string): SignatureFormat | null {
  const first = signature.slice(0, signature.indexOf('\n') === -1 ? undefined : signature.indexOf('\n'));
  if (first.startsWith('-----BEGIN PGP SIGNATURE-----') || first.startsWith('-----BEGIN PGP MESSAGE-----')) {
    return 'openpgp';
  }
  if (first.startsWith('-----BEGIN SSH SIGNATURE-----')) return 'ssh';
  if (first.startsWith('-----BEGIN SIGNED MESSAGE-----')) return 'x509';
  return null;
}

/** Signature blocks larger than this are refused unparsed: real ones are a few KiB. */
export const MAX_SIGNATURE_BYTES = 64 * 1024;

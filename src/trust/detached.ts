import { MAX_SIGNATURE_BYTES } from '../core/signature-format.js';
import { makeVerdict, type Verdict } from '../core/verdict.js';
import type { SignatureChecker } from './signature-checker.js';
import { armorSignature } from './openpgp/armor.js';

const ARMOR_LINE = /^\s*-----BEGIN (PGP SIGNATURE|PGP MESSAGE|SSH SIGNATURE|SIGNED MESSAGE)-----/;

/**
 * A detached signature file as the text the checker takes: armored OpenPGP or SSH as it is, binary
 * OpenPGP packets armored. Null (with why) for anything else: it is never guessed at.
 */
export function signatureText(bytes: Uint8Array): { text: string } | { problem: string } {
  if (bytes.length === 0) return { problem: 'the signature file is empty' };
  if (bytes.length > MAX_SIGNATURE_BYTES) return { problem: `the signature file is ${bytes.length} bytes, over the ${MAX_SIGNATURE_BYTES}-byte limit` };
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (ARMOR_LINE.test(head)) return { text: Buffer.from(bytes).toString('utf8').replace(/^\s+/, '') };
  // an OpenPGP packet header: bit 7 set; old or new format, tag 2 (signature)
  const first = bytes[0]!;
  const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
  if (first & 0x80 && tag === 2) return { text: armorSignature(bytes) };
  return { problem: 'the signature file is neither an armored block nor binary OpenPGP signature packets' };
}

/**
 * The verdict on a detached signature over `data` (the object's exact bytes): OpenPGP, or SSH made for
 * `namespace` (`ssh-keygen -Y sign -n file`). SSH keys' validity windows are judged at `now`.
 */
export async function verifyDetached(checker: SignatureChecker, data: Uint8Array, signature: Uint8Array, namespace: string, now: Date): Promise<Verdict> {
  const text = signatureText(signature);
  if ('problem' in text) return makeVerdict('malformed', 'none', text.problem, { remedy: 'upload a detached signature: gpg --detach-sign, or ssh-keygen -Y sign -n file' });
  return checker.check({ signature: text.text, payload: data, signedTime: now, namespace });
}

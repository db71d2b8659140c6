import { readKey, type PublicKey, type SignaturePacket } from 'openpgp';
import type { KeyComponent, OpenpgpKeyEntry } from '../keys/keyring.js';
import { PARSE_EVERYTHING } from './openpgp-config.js';

/** Whether a (sub)key could make signatures at a given instant, per rule 3 of the trust model. */
export type KeyValidity =
  | { ok: true; note: string | null }
  | { ok: false; status: 'revoked-key' | 'expired-key' | 'bad-signature'; reason: string };

/**
 * Check that `signer` was a valid signing (sub)key of its primary at `signedAt`: bound with a valid
 * self-signature (and, for subkeys, a back-signature), signing-capable, not expired, not revoked.
 * openpgp.js applies hard revocations at any time and soft ones only after they were made.
 */
export async function checkSigningKeyAt(
  signer: KeyComponent,
  signedAt: Date,
  ignoreExpiry: boolean,
  neverExpiring: (entry: OpenpgpKeyEntry) => Promise<PublicKey>,
): Promise<KeyValidity> {
  if (signer.component.getCreationTime() > signedAt) {
    return { ok: false, status: 'bad-signature', reason: `key ${signer.fingerprint} was created after the signature` };
  }
  const first = await evaluate(signer.entry.key, signer, signedAt);
  if (first === null) return { ok: true, note: null };
  if (/revoked/i.test(first)) return { ok: false, status: 'revoked-key', reason: first };
  if (/expired/i.test(first)) {
    if (!ignoreExpiry) return { ok: false, status: 'expired-key', reason: first };
    const again = await evaluate(await neverExpiring(signer.entry), signer, signedAt);
    if (again === null) return { ok: true, note: `key had expired when it signed (${first}); expiry ignored` };
    return classifyOther(again);
  }
  return classifyOther(first);
}

function classifyOther(message: string): KeyValidity {
  if (/revoked/i.test(message)) return { ok: false, status: 'revoked-key', reason: message };
  return { ok: false, status: 'bad-signature', reason: `key is not valid for signing: ${message}` };
}

/** null when valid; otherwise openpgp.js's reason. Retries once when every binding postdates the signature. */
async function evaluate(key: PublicKey, signer: KeyComponent, signedAt: Date): Promise<string | null> {
  const first = await trySigningKey(key, signer, signedAt);
  if (first === null || /revoked|expired/i.test(first)) return first;
  // Keys re-exported minimally carry only their newest self-signature, made after older commits;
  // the signer controls signature times anyway, so judge the binding by its earliest self-signature.
  const bound = earliestBinding(key, signer);
  if (bound === null || bound <= signedAt) return first;
  return trySigningKey(key, signer, bound);
}

async function trySigningKey(key: PublicKey, signer: KeyComponent, date: Date): Promise<string | null> {
  try {
    const found = await key.getSigningKey(signer.component.getKeyID(), date, undefined, PARSE_EVERYTHING);
    if (found.getFingerprint().toUpperCase() !== signer.fingerprint) return 'another key with the same key ID was chosen';
    return null;
  } catch (error) {
    return describeError(error);
  }
}

function earliestBinding(key: PublicKey, signer: KeyComponent): Date | null {
  const primary = [...directSignatures(key), ...key.users.flatMap((u) => u.selfCertifications)];
  const sub = signer.component === key ? [] : key.subkeys.find((s) => s === signer.component)?.bindingSignatures ?? [];
  const earliest = (sigs: SignaturePacket[]): number | null =>
    sigs.length === 0 ? null : Math.min(...sigs.map((s) => s.created?.getTime() ?? Infinity));
  const times = [earliest(primary), signer.component === key ? null : earliest(sub)].filter((t): t is number => t !== null);
  return times.length === 0 ? null : new Date(Math.max(...times));
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(': ') || String(error);
}

/** A copy of the key whose self-signatures never expire, for `--ignore-expiry`; revocations are untouched. */
export async function withoutExpiry(key: PublicKey): Promise<PublicKey> {
  const copy = await readKey({ binaryKey: key.write(), config: PARSE_EVERYTHING });
  const bindings = [
    ...directSignatures(copy),
    ...copy.users.flatMap((u) => u.selfCertifications),
    ...copy.subkeys.flatMap((s) => s.bindingSignatures),
  ];
  for (const signature of bindings) {
    // The hashed bytes stay as read (signatureData), so the signatures still verify.
    signature.keyNeverExpires = true;
    signature.signatureNeverExpires = true;
    if (signature.embeddedSignature) signature.embeddedSignature.signatureNeverExpires = true;
  }
  return copy;
}

/** Direct-key self-signatures: present at runtime, missing from openpgp.js's type declarations. */
function directSignatures(key: PublicKey): SignaturePacket[] {
  return (key as unknown as { directSignatures: SignaturePacket[] }).directSignatures;
}

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
  // Validity only changes at the instants the key's own packets name, so one answer serves a whole interval.
  const cache = intervalCache(signer, ignoreExpiry);
  const slot = intervalOf(cache.events, signedAt.getTime());
  let answer = cache.answers.get(slot);
  if (!answer) {
    answer = evaluateSigningKeyAt(signer, signedAt, ignoreExpiry, neverExpiring);
    cache.answers.set(slot, answer);
  }
  return answer;
}

interface IntervalCache {
  events: number[];
  answers: Map<number, Promise<KeyValidity>>;
}

const intervalCaches = new WeakMap<KeyComponent, Map<boolean, IntervalCache>>();

function intervalCache(signer: KeyComponent, ignoreExpiry: boolean): IntervalCache {
  let byPolicy = intervalCaches.get(signer);
  if (!byPolicy) intervalCaches.set(signer, (byPolicy = new Map()));
  let cache = byPolicy.get(ignoreExpiry);
  if (!cache) byPolicy.set(ignoreExpiry, (cache = { events: eventTimes(signer.entry.key), answers: new Map() }));
  return cache;
}

/**
 * Every instant at which a comparison inside openpgp.js's key checks can flip: creation of keys and
 * signatures, and the expirations they state. Between two consecutive events the answer is constant.
 */
function eventTimes(key: PublicKey): number[] {
  const times = new Set<number>();
  const packets = [key, ...key.subkeys].map((k) => k.keyPacket);
  for (const packet of packets) times.add(packet.created.getTime());
  const signatures = [
    ...directSignatures(key),
    ...key.revocationSignatures,
    ...key.users.flatMap((u) => [...u.selfCertifications, ...u.revocationSignatures]),
    ...key.subkeys.flatMap((s) => [...s.bindingSignatures, ...s.revocationSignatures]),
  ];
  for (const signature of [...signatures, ...signatures.flatMap((s) => (s.embeddedSignature ? [s.embeddedSignature] : []))]) {
    const created = signature.created?.getTime();
    if (created === undefined) continue;
    times.add(created);
    const raw = signature as unknown as { signatureExpirationTime: number | null; keyExpirationTime: number | null };
    if (raw.signatureExpirationTime) times.add(created + raw.signatureExpirationTime * 1000);
    for (const packet of packets) if (raw.keyExpirationTime) times.add(packet.created.getTime() + raw.keyExpirationTime * 1000);
  }
  return [...times].filter((t) => Number.isFinite(t)).sort((a, b) => a - b);
}

/** Index of the interval [events[i-1], events[i]) holding `time`: the number of events at or before it. */
function intervalOf(events: readonly number[], time: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (events[mid]! <= time) low = mid + 1;
    else high = mid;
  }
  return low;
}

async function evaluateSigningKeyAt(
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

import type { KeyComponent } from './keyring.js';
import { eventTimes, primaryStateAt, subkeyStateAt, USAGE, type AppliedRevocation, type ComponentState } from './validity.js';

/** Whether a (sub)key could make document signatures at one instant (trust model rule 3). */
export type KeyValidity =
  | { ok: true; note: string | null }
  | { ok: false; status: 'revoked-key' | 'expired-key' | 'bad-signature'; reason: string };

interface IntervalCache {
  events: number[];
  answers: Map<number, KeyValidity>;
}

const caches = new WeakMap<KeyComponent, Map<boolean, IntervalCache>>();

/**
 * Check that `signer` was a valid signing (sub)key of its primary at `signedAt`: bound by a self-signature
 * in force then (subkeys: with a valid back-signature), allowed to sign, not revoked (hard revocations
 * at any time, soft ones from their date), not expired. Validity only changes at the instants the key's
 * own packets name, so one answer serves a whole interval between two of them.
 */
export function checkSigningKeyAt(signer: KeyComponent, signedAt: Date, ignoreExpiry: boolean): KeyValidity {
  let byPolicy = caches.get(signer);
  if (!byPolicy) caches.set(signer, (byPolicy = new Map()));
  let cache = byPolicy.get(ignoreExpiry);
  if (!cache) byPolicy.set(ignoreExpiry, (cache = { events: eventTimes(signer.entry.verified()), answers: new Map() }));
  const slot = intervalOf(cache.events, signedAt.getTime());
  let answer = cache.answers.get(slot);
  if (!answer) cache.answers.set(slot, (answer = ignoreExpiry ? evaluateIgnoringExpiry(signer, signedAt) : evaluate(signer, signedAt, false)));
  return answer;
}

/** `--ignore-expiry` (key and self-signature expiry only); a valid answer says what was ignored. */
function evaluateIgnoringExpiry(signer: KeyComponent, at: Date): KeyValidity {
  const lenient = evaluate(signer, at, true);
  if (!lenient.ok) return lenient;
  const strict = evaluate(signer, at, false);
  return strict.ok ? lenient : { ok: true, note: `${strict.reason}; expiry ignored` };
}

function evaluate(signer: KeyComponent, at: Date, ignoreExpiry: boolean): KeyValidity {
  const cert = signer.entry.verified();
  if (signer.key.created.getTime() > at.getTime()) return bad(`key ${signer.fingerprint} was created after the signature`);
  const primary = primaryStateAt(cert, at, ignoreExpiry);
  const subkey = signer.subkey === null ? null : subkeyStateAt(cert.subkeys[signer.subkey]!, at, ignoreExpiry);
  const revocation = primary.revocation ?? subkey?.revocation ?? null;
  if (revocation) {
    const which = primary.revocation ? `primary key ${cert.primary.fingerprint}` : `subkey ${signer.fingerprint}`;
    return { ok: false, status: 'revoked-key', reason: describeRevocation(which, revocation) };
  }
  if (!primary.bound) return bad(`key ${cert.primary.fingerprint} has no valid self-signature at ${iso(at)}`);
  if (subkey && !subkey.bound) return bad(`subkey ${signer.fingerprint} has no valid binding signature at ${iso(at)}`);
  const state: ComponentState = subkey ?? primary;
  if ((state.usage & USAGE.sign) === 0) return bad(`key ${signer.fingerprint} is not allowed to sign (its key flags at ${iso(at)} exclude signing)`);
  if (subkey && !subkey.crossCertified) return bad(`signing subkey ${signer.fingerprint} has no valid back-signature (cross-certification)`);
  const expiry = [primary.expires, subkey?.expires ?? null].filter((d): d is Date => d !== null && d.getTime() < at.getTime());
  if (expiry.length > 0) {
    const which = primary.expires && primary.expires.getTime() < at.getTime() ? cert.primary.fingerprint : signer.fingerprint;
    return { ok: false, status: 'expired-key', reason: `key ${which} expired on ${iso(expiry[0]!)}, before it signed on ${iso(at)}` };
  }
  return { ok: true, note: null };
}

function describeRevocation(which: string, revocation: AppliedRevocation): string {
  const by = revocation.revoker ? ` by its designated revoker ${revocation.revoker}` : '';
  const kind = revocation.hard
    ? 'a hard revocation: every signature it ever made is void'
    : 'a soft revocation: signatures made after it are void';
  return `${which} was revoked${by} on ${iso(revocation.at)} (${revocation.reason}; ${kind})`;
}

function bad(reason: string): KeyValidity {
  return { ok: false, status: 'bad-signature', reason };
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Index of the interval holding `time`: the number of events at or before it. */
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

// Which principal an SSH key signs for, decided the way git 2.39 asks ssh-keygen (gpg-interface.c,
// verify_ssh_signed_buffer): `ssh-keygen -Y find-principals` takes the principals field of the FIRST
// allowed_signers entry holding the key whose validity window contains the verify time (namespaces
// are not looked at yet), and then, for each of those principals p in turn, `ssh-keygen -Y verify
// -I p -n git` accepts when ANY entry for the key has a principals pattern list matching p, allows
// the namespace, and has a window containing the time. The first p that verifies is the signer.
import type { VerdictStatus } from '../../core/verdict.js';
import type { AllowedSigner } from './allowed-signers.js';
import { matchPatternList } from './pattern.js';

/** Why no allowed_signers entry lets the key sign, as a verdict status with a reason and a remedy. */
export interface Rejection {
  status: VerdictStatus;
  reason: string;
  remedy: string;
}

/** The principal an SSH signature is accepted for, and the entry that accepted it; or why none did. */
export type Authorization =
  | { ok: true; principal: string; entry: AllowedSigner }
  | { ok: false; entry: AllowedSigner; rejection: Rejection };

/**
 * Decides whether the key of `entries` may sign in `namespace` at `time`, exactly as git and
 * ssh-keygen do (see the file comment). `entries` are the allowed_signers entries holding the signing
 * key itself (never cert-authority ones), in file order; at least one. Pure.
 */
export function authorizeSshSigner(entries: readonly AllowedSigner[], namespace: string, time: Date | null): Authorization {
  const first = entries.find((entry) => windowRejection(entry, time) === null);
  if (!first) {
    const entry = entries.find((e) => allowsNamespace(e, namespace)) ?? entries[0]!;
    return { ok: false, entry, rejection: windowRejection(entry, time)! };
  }
  for (const principal of first.principals) {
    const entry = entries.find(
      (e) => admitsPrincipal(e, principal) && allowsNamespace(e, namespace) && windowRejection(e, time) === null,
    );
    if (entry) return { ok: true, principal, entry };
  }
  return { ok: false, entry: first, rejection: principalRejection(first, entries, namespace, time) };
}

/** Whether the entry's `namespaces=` pattern list (absent: any namespace) admits `namespace`. */
export function allowsNamespace(entry: AllowedSigner, namespace: string): boolean {
  return entry.namespaces === null || matchPatternList(namespace, entry.namespaces) === 1;
}

/** Whether `principal` (as find-principals printed it) is one the entry's principals field admits. */
function admitsPrincipal(entry: AllowedSigner, principal: string): boolean {
  if (!entry.principalPatterns) return entry.principals.includes(principal);
  return matchPatternList(principal, entry.principals) === 1;
}

/** Why the entry's valid-after/valid-before window excludes `time`, or null when it contains it. */
function windowRejection(entry: AllowedSigner, time: Date | null): Rejection | null {
  const where = `${entry.source}:${entry.line}`;
  if ((entry.validAfter || entry.validBefore) && time === null) {
    const reason = `${where} has a validity window but the object has no committer time`;
    return { status: 'not-allowed', reason, remedy: `remove valid-after/valid-before at ${where} to accept it` };
  }
  if (entry.validAfter && time && time < entry.validAfter) {
    const reason = `committer time ${time.toISOString()} is before valid-after at ${where}`;
    return { status: 'not-allowed', reason, remedy: `check the committer date, or move valid-after at ${where}` };
  }
  // OpenSSH still accepts the very second of valid-before; it refuses only a time after it.
  if (entry.validBefore && time && time > entry.validBefore) {
    const reason = `committer time ${time.toISOString()} is after valid-before at ${where}`;
    return { status: 'expired-key', reason, remedy: `re-sign with a current key, or extend valid-before at ${where}` };
  }
  return null;
}

/** Explains why none of the first entry's principals verified: a namespace, or patterns that admit none of them. */
function principalRejection(
  first: AllowedSigner,
  entries: readonly AllowedSigner[],
  namespace: string,
  time: Date | null,
): Rejection {
  const where = `${first.source}:${first.line}`;
  const names = JSON.stringify(first.principals.join(','));
  const excluded = entries.find(
    (e) => first.principals.some((p) => admitsPrincipal(e, p)) && windowRejection(e, time) === null && !allowsNamespace(e, namespace),
  );
  if (excluded) {
    const at = `${excluded.source}:${excluded.line}`;
    const allowed = JSON.stringify(excluded.namespaces?.join(','));
    const reason = `${at} allows namespaces ${allowed}, not ${namespace}, for ${names}: the principals git takes from ${where}, the first entry for the key`;
    return { status: 'not-allowed', reason, remedy: `add ${namespace} to namespaces= at ${at} if the key may sign` };
  }
  const reason = `no allowed_signers entry for this key admits any of the principals ${names} of ${where} (git looks the key up there first)`;
  return { status: 'not-allowed', reason, remedy: `name the signer with a plain, non-negated principal at ${where}` };
}

/** The reports siggate gives (DESIGN.md, "JSON report"), and how a verdict becomes a report entry. */
import type { SignatureFormat, Signer, Verdict, VerdictStatus } from './verdict.js';

/** Which commits must be signed: the target, its first-parent chain, or everything not below the trust root. */
export type RangeMode = 'tip' | 'first-parent' | 'all';

/** One commit's entry in the JSON report. */
export interface CommitReport {
  oid: string;
  status: VerdictStatus;
  format: SignatureFormat;
  signer: Signer | null;
  signedAt: string | null;
  subject: string;
  reason: string | null;
  remedy?: string;
  /** Present when an earlier passing run under the same policy verified this commit: listed from the verification cache, not checked again. */
  cached?: true;
}

/** A range-level failure: the target does not descend from the trust root, or the trust root is movable or not validly signed. */
export type RangeStatus = 'passed' | 'failed' | 'not-descendant' | 'untrusted-root';

/** The JSON report of `siggate verify`. */
export interface RangeReport {
  ok: boolean;
  status: RangeStatus;
  target: string;
  since: string | null;
  mode: RangeMode;
  checked: number;
  failed: number;
  /** Why a range-level status is not `passed`/`failed`, else null. */
  reason: string | null;
  /** How to fix a range-level failure, when there is a fix to name (`untrusted-root`). */
  remedy?: string;
  commits: CommitReport[];
  /** Commits where checking stopped because an earlier passing run under the same policy verified them and all they require (what they require is listed, `cached`). */
  reused: string[];
  warnings: string[];
}

/** The report of `siggate verify-tag`. */
export interface TagReport {
  ok: boolean;
  tag: string;
  oid: string;
  target: string;
  targetType: string;
  status: VerdictStatus;
  format: SignatureFormat;
  signer: Signer | null;
  signedAt: string | null;
  reason: string | null;
  remedy?: string;
  warnings: string[];
}

/** A commit's report entry from its verdict. */
export function toCommitReport(oid: string, subject: string, verdict: Verdict): CommitReport {
  return {
    oid,
    status: verdict.status,
    format: verdict.format,
    signer: verdict.signer ? reportedSigner(verdict.signer) : null,
    signedAt: verdict.signedAt ? isoSeconds(verdict.signedAt) : null,
    subject,
    reason: verdict.reason,
    ...(verdict.remedy && verdict.status !== 'valid' ? { remedy: verdict.remedy } : {}),
  };
}

/** An instant as the reports print it: ISO 8601 in UTC, whole seconds. */
export function isoSeconds(date: Date): string {
  // toISOString always ends in `.sssZ`
  const iso = date.toISOString();
  return `${iso.slice(0, -5)}Z`;
}

// One report object per signer, shared by all the commits it signed: a 100,000-commit report stays small.
const reportedSigners = new WeakMap<Signer, CommitReport['signer']>();

function reportedSigner(signer: Signer): CommitReport['signer'] {
  let reported = reportedSigners.get(signer);
  if (!reported) {
    reported = { fingerprint: signer.fingerprint, signingKey: signer.signingKey, userId: signer.userId };
    reportedSigners.set(signer, reported);
  }
  return reported;
}

/** One precondition of a merge (`merge-sign`), checked against GitHub. */
export interface MergeCheck {
  name: 'state' | 'base' | 'mergeable' | 'approvals' | 'changes-requested' | 'rules' | 'ci' | 'code-owners' | 'up-to-date' | 'github-merge';
  ok: boolean;
  detail: string;
}

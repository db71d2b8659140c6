/**
 * Guix's authorization rule (guix/git-authenticate.scm, `authenticate-commit`): a commit is authorized
 * when the key that made its signature is listed in the `.guix-authorizations` of each of its parents,
 * never by its own. Pure: the parents' files come in already read.
 */
import type { CommitReport } from './report.js';
import { formatGuixFingerprint, type GuixAuthorizations } from './guix-authorizations.js';

/** What one parent's tree says about who may sign its children. */
export type ParentPolicy =
  | { parent: string; kind: 'file'; authorizations: GuixAuthorizations }
  /** No file, but one of its own parents has one: the parent removed it (Guix refuses its children). */
  | { parent: string; kind: 'removed' }
  /** No file, nor in its parents: Guix's default authorizations, which are empty for a channel. */
  | { parent: string; kind: 'none' };

/** What the rule needs of one commit besides its signature verdict. */
export interface GuixCommitFacts {
  /** The commit's own tree has `.guix-authorizations`. */
  hasOwnFile: boolean;
  /** One per parent, in the commit's order. */
  parents: readonly ParentPolicy[];
}

/**
 * A valid signature becomes `not-allowed` unless its signing key (the subkey when a subkey signed, as Guix
 * compares) is authorized by every parent. Other verdicts are already refusals and stay as they are.
 * Stricter than Guix: a commit that removes `.guix-authorizations` is refused itself, not only its children.
 */
export function applyGuixRule(report: CommitReport, facts: GuixCommitFacts): CommitReport {
  if (report.status !== 'valid' || !report.signer) return report;
  const key = report.signer.signingKey;
  // the common case, authorized by every parent, formats nothing
  if (facts.hasOwnFile && facts.parents.length > 0 && facts.parents.every((p) => p.kind === 'file' && p.authorizations.ok && p.authorizations.fingerprints.has(key))) return report;
  const shown = formatGuixFingerprint(key);
  const refuse = (reason: string, remedy: string): CommitReport => ({ ...report, status: 'not-allowed', reason, remedy });
  if (facts.parents.length === 0) {
    return refuse(`a root commit signed by ${shown}: no parent's .guix-authorizations authorizes it`, 'start the range at the channel introduction (--since), which must descend from this history');
  }
  if (!facts.hasOwnFile && facts.parents.some((p) => p.kind === 'file')) {
    return refuse(`signed by ${shown}, it removes .guix-authorizations, which its parents have`, 'restore .guix-authorizations: without it nobody can sign the next commit');
  }
  for (const policy of facts.parents) {
    const refusal = refusalBy(policy, key, shown);
    if (refusal) return refuse(refusal.reason, refusal.remedy);
  }
  return report;
}

function refusalBy(policy: ParentPolicy, key: string, shown: string): { reason: string; remedy: string } | null {
  const parent = policy.parent;
  switch (policy.kind) {
    case 'removed':
      return {
        reason: `signed by ${shown}, but its parent ${parent} removed .guix-authorizations`,
        remedy: `commit ${parent} attempts to remove .guix-authorizations: no commit on top of it can be authorized; rebuild the branch without that removal`,
      };
    case 'none':
      return {
        reason: `signed by ${shown}, but its parent ${parent} has no .guix-authorizations (it predates the channel's authorizations)`,
        remedy: 'a commit is only authorized by parents that carry .guix-authorizations; check that the history descends from the introduction',
      };
    case 'file': {
      const authorizations = policy.authorizations;
      if (!authorizations.ok) {
        return {
          reason: `signed by ${shown}, but the .guix-authorizations of its parent ${parent} cannot be read: ${authorizations.problem}`,
          remedy: 'Guix reads (authorizations (version 0) (("FINGERPRINT" (name "…")) …)); fix the file in a commit its parent authorizes',
        };
      }
      if (authorizations.fingerprints.has(key)) return null;
      return {
        reason: `signed by ${shown}, which the .guix-authorizations of its parent ${parent} does not list`,
        remedy: `if this signer may commit, a commit signed by an authorized key must first add ${shown} (the fingerprint of the key that signs, a subkey if a subkey signs) to .guix-authorizations`,
      };
    }
  }
}

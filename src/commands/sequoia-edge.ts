/**
 * One edge of sequoia-git's graph walk (`Policy::verify`): does the parent's `openpgp-policy.toml`
 * authenticate the child commit? Signature by a certificate of the parent's policy (expiry and revocation
 * as the parent's copy says), `sign_commit` plus every right the child's policy change needs, and no
 * hard revocation anywhere unless the target's goodlist names the commit.
 */
import type { ParsedCommit } from '../core/commit.js';
import type { CommitReport } from '../core/report.js';
import { judgeEdge, requiredRights, type KeyringSummary, type SequoiaPolicy } from '../core/sequoia-policy.js';
import type { SequoiaKeys } from '../trust/sequoia-keys.js';

/** The verdict on one (child, parent) pair, as a report entry for the child. */
export interface Edge {
  parent: string;
  good: boolean;
  report: CommitReport;
}

/** Everything one edge is judged on. */
export interface EdgeInput {
  oid: string;
  commit: ParsedCommit | null;
  parent: string;
  parentPolicy: SequoiaPolicy;
  childPolicy: SequoiaPolicy;
  keys: SequoiaKeys;
  summarize: (keyring: string) => KeyringSummary;
  hardRevoked: ReadonlySet<string>;
  goodlist: ReadonlySet<string>;
  /** The parent's certificates refreshed by the child's copies (null: the parent's alone). */
  mergedChecker: () => Pick<SequoiaKeys, 'checker' | 'selfSignedAfter'> | null;
}

/** Judge one edge; never throws for what the commit or policies hold. */
export async function judgeSequoiaEdge(input: EdgeInput): Promise<Edge> {
  const { oid, parent, keys } = input;
  const subject = input.commit?.subject ?? '';
  const refuse = (reason: string, remedy: string, from?: CommitReport): Edge => ({
    parent,
    good: false,
    report: { ...(from ?? { oid, format: 'none', signer: null, signedAt: null, subject }), status: 'not-allowed', reason, remedy },
  });
  if (!keys.checker) return refuse(`the openpgp-policy.toml of its parent ${parent} vouches for nobody: ${keys.problem}`, 'fix the policy in a commit its own parent authenticates');
  // a child that changed the policy may refresh the certificates its parent lists (never add trust in new ones)
  const used = (input.parentPolicy === input.childPolicy ? null : input.mergedChecker()) ?? keys;
  const report = await used.checker!.checkCommit(oid, input.commit);
  if (report.status !== 'valid' || !report.signer) {
    const reason = `by the policy of its parent ${parent}: ${report.reason ?? report.status}`;
    return { parent, good: false, report: { ...report, reason } };
  }
  const signer = report.signer;
  if (report.signedAt && used.selfSignedAfter(signer.fingerprint, new Date(report.signedAt))) {
    return refuse(`signed by ${signer.fingerprint} on ${report.signedAt}, before a self-signature its certificate carries in the policy: sequoia-git would judge the key by its older self-signatures, which siggate does not keep apart`, 'sign again now (after the newest self-signature of the certificate)', report);
  }
  const required = input.parentPolicy === input.childPolicy ? { ok: true as const, rights: new Set<never>() } : requiredRights(input.parentPolicy, input.childPolicy, input.summarize);
  if (!required.ok) return refuse(`its change to openpgp-policy.toml cannot be judged: ${required.problem}`, 'change the policy with keyrings sequoia-git and siggate can read', report);
  const holds = (keyring: string, fingerprint: string): boolean => {
    const summary = input.summarize(keyring);
    return summary.ok && summary.certificates.has(fingerprint);
  };
  const judged = judgeEdge(input.parentPolicy, signer.fingerprint, required.rights, holds);
  if (!judged.ok) {
    const rights = judged.missing.join(', ');
    return refuse(`signed by ${signer.fingerprint}: ${judged.reason} (needs ${rights} in the policy of its parent ${parent})`, `a signer holding ${rights} in the parent's openpgp-policy.toml must make this commit`, report);
  }
  // a hard revocation found anywhere voids every signature of the key, unless an auditor goodlisted the commit
  if ((input.hardRevoked.has(signer.signingKey) || input.hardRevoked.has(signer.fingerprint)) && !input.goodlist.has(oid)) {
    return {
      parent,
      good: false,
      report: { ...report, status: 'revoked-key', reason: `signed by ${signer.signingKey}, which a policy in the history revokes hard (compromised, or no reason given)`, remedy: 'an auditor may add this commit to commit_goodlist if it is known good' },
    };
  }
  return { parent, good: true, report };
}

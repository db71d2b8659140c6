/** A pull request review as GitHub lists it (oldest first). */
export interface Review {
  user: { login: string } | null;
  state: string;
  commit_id: string | null;
  submitted_at?: string | null;
}

export interface ApprovalPolicy {
  /** The head commit the merge will contain; approvals of other commits do not count. */
  headSha: string;
  /** The pull request's author, who cannot approve their own change. */
  author: string;
  /** When given, only these logins count. */
  approvers?: readonly string[] | null;
  required: number;
}

export interface ApprovalJudgement {
  ok: boolean;
  /** Logins whose latest review approves the head commit and who count under the policy. */
  approvedBy: string[];
  /** Why the reviews that did not count did not, one line each. */
  notCounted: string[];
}

/** Review states that replace a reviewer's earlier verdict; COMMENTED and PENDING leave it standing. */
const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/**
 * Counts the approvals of a pull request: each reviewer's latest decisive review, APPROVED, for the
 * current head commit, not by the author, and from `approvers` when that list is given.
 */
export function judgeApprovals(reviews: readonly Review[], policy: ApprovalPolicy): ApprovalJudgement {
  const latest = new Map<string, Review>();
  for (const review of reviews) {
    const login = review.user?.login;
    if (login && DECISIVE.has(review.state)) latest.set(login.toLowerCase(), review);
  }
  const allowed = policy.approvers ? new Set(policy.approvers.map((a) => a.toLowerCase())) : null;
  const approvedBy: string[] = [];
  const notCounted: string[] = [];
  for (const [key, review] of latest) {
    const login = review.user?.login ?? key;
    if (review.state !== 'APPROVED') notCounted.push(`${login}: latest review is ${review.state.toLowerCase().replace('_', ' ')}`);
    else if (key === policy.author.toLowerCase()) notCounted.push(`${login}: the author cannot approve their own pull request`);
    else if (review.commit_id !== policy.headSha) notCounted.push(`${login}: approved ${short(review.commit_id)}, not the head ${short(policy.headSha)}`);
    else if (allowed && !allowed.has(key)) notCounted.push(`${login}: not in --approvers`);
    else approvedBy.push(login);
  }
  return { ok: approvedBy.length >= policy.required, approvedBy, notCounted };
}

const short = (oid: string | null): string => (oid ? oid.slice(0, 12) : 'an unknown commit');

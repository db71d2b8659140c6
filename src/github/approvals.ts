/** A pull request review as GitHub lists it (oldest first). */
export interface Review {
  /** null for a deleted account; `type` is `User`, `Bot` or `Organization`. */
  user: { login: string; type?: string } | null;
  state: string;
  commit_id: string | null;
  submitted_at?: string | null;
  author_association?: string;
}

export interface ApprovalPolicy {
  /** The head commit the merge will contain; approvals of other commits do not count. */
  headSha: string;
  /** The pull request's author, who cannot approve their own change. */
  author: string;
  /** When given, only these logins count. */
  approvers?: readonly string[] | null;
  required: number;
  /**
   * Each reviewer's permission on the repository (`admin`, `write`, `read`, `none`; lower-case login as key),
   * from `GET /repos/{o}/{r}/collaborators/{u}/permission`. A reviewer missing here has no write access.
   */
  permissions: ReadonlyMap<string, string>;
  /** Count approvals from bot accounts (`user.type` Bot); GitHub does not, nor does siggate by default. */
  allowBots?: boolean;
  /** Logins whose approval does not count for another reason (the head's pusher under last-push approval). */
  excluded?: ReadonlyMap<string, string>;
}

export interface ApprovalJudgement {
  ok: boolean;
  /** Logins whose latest review approves the head commit and who count under the policy. */
  approvedBy: string[];
  /** Why the reviews that did not count did not, one line each. */
  notCounted: string[];
  /** Reviewers with write access whose latest decisive review requests changes: GitHub blocks the merge on each. */
  changesRequestedBy: string[];
}

/** Review states that replace a reviewer's earlier verdict; COMMENTED and PENDING leave it standing. */
const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/** GitHub counts reviews of people with write access; `maintain` shows as `write` there, and is accepted either way. */
export const WRITE_PERMISSIONS: ReadonlySet<string> = new Set(['admin', 'maintain', 'write']);

/** Each reviewer's latest decisive review, keyed by lower-case login; reviews of deleted accounts are left out. */
export function latestDecisiveReviews(reviews: readonly Review[]): Map<string, Review> {
  const latest = new Map<string, Review>();
  for (const review of reviews) {
    const login = review.user?.login;
    if (login && DECISIVE.has(review.state)) latest.set(login.toLowerCase(), review);
  }
  return latest;
}

/**
 * Counts the approvals of a pull request as GitHub's merge button does, and stricter: each reviewer's latest
 * decisive review, APPROVED, for the current head commit, by a user (not a bot) with write access, not the
 * author, and from `approvers` when that list is given. A writer's standing request for changes blocks.
 */
export function judgeApprovals(reviews: readonly Review[], policy: ApprovalPolicy): ApprovalJudgement {
  const allowed = policy.approvers ? new Set(policy.approvers.map((a) => a.toLowerCase())) : null;
  const approvedBy: string[] = [];
  const notCounted: string[] = [];
  const changesRequestedBy: string[] = [];
  for (const [key, review] of latestDecisiveReviews(reviews)) {
    const login = review.user?.login ?? key;
    const permission = policy.permissions.get(key) ?? 'none';
    const writer = WRITE_PERMISSIONS.has(permission);
    if (review.state === 'CHANGES_REQUESTED' && writer) changesRequestedBy.push(login);
    const why = whyNotCounted(key, review, permission, policy, allowed);
    if (why === null) approvedBy.push(login);
    else notCounted.push(`${login}: ${why}`);
  }
  const ok = approvedBy.length >= policy.required && changesRequestedBy.length === 0;
  return { ok, approvedBy, notCounted, changesRequestedBy };
}

function whyNotCounted(key: string, review: Review, permission: string, policy: ApprovalPolicy, allowed: Set<string> | null): string | null {
  if (review.state !== 'APPROVED') return `latest review is ${review.state.toLowerCase().replace('_', ' ')}`;
  if (key === policy.author.toLowerCase()) return 'the author cannot approve their own pull request';
  if (review.commit_id !== policy.headSha) return `approved ${short(review.commit_id)}, not the head ${short(policy.headSha)}`;
  if (review.user?.type !== 'User' && !(policy.allowBots && review.user?.type === 'Bot')) {
    return review.user?.type === 'Bot' ? 'a bot (pass --allow-bot-approvals to count bots)' : `not a user account (${review.user?.type ?? 'no type'})`;
  }
  if (!WRITE_PERMISSIONS.has(permission)) return `has ${permission} access, not write: GitHub does not count the approval`;
  const excluded = policy.excluded?.get(key);
  if (excluded) return excluded;
  if (allowed && !allowed.has(key)) return 'not in --approvers';
  return null;
}

const short = (oid: string | null): string => (oid ? oid.slice(0, 12) : 'an unknown commit');

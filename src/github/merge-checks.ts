import type { Octokit } from '@octokit/rest';
import type { MergeCheck } from '../core/report.js';
import { judgeApprovals } from './approvals.js';
import { judgeCi } from './ci-status.js';
import { formatSlug, type RepoSlug } from './repo-slug.js';
import { loadCiResults, loadPullRequest, loadRequiredChecks, loadReviews, type PullRequest } from './pull-request.js';

export interface MergePolicy {
  /** The branch the merge is meant for; when given, the pull request's base must be it. */
  base?: string | null;
  requiredApprovals: number;
  approvers?: readonly string[] | null;
  /** Checks that must have run and passed, beyond those branch protection requires. */
  requireChecks?: readonly string[];
  mergeablePollMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

/** Everything GitHub says about whether a pull request may be merged, one check per precondition. */
export async function checkPullRequest(
  octokit: Octokit,
  slug: RepoSlug,
  number: number,
  policy: MergePolicy,
): Promise<{ pull: PullRequest; checks: MergeCheck[]; approvedBy: string[] }> {
  const pull = await loadPullRequest(octokit, slug, number, policy.mergeablePollMs, policy.sleep);
  const checks: MergeCheck[] = [stateCheck(pull), baseCheck(pull, slug, policy.base ?? null)];
  if (pull.state === 'open' && !pull.merged) checks.push(mergeableCheck(pull));

  const reviews = await loadReviews(octokit, slug, number);
  const approvals = judgeApprovals(reviews, {
    headSha: pull.head.sha,
    author: pull.author,
    approvers: policy.approvers ?? null,
    required: policy.requiredApprovals,
  });
  const counted = approvals.approvedBy.length;
  const why = approvals.notCounted.length > 0 ? `; not counted: ${approvals.notCounted.join('; ')}` : '';
  checks.push({
    name: 'approvals',
    ok: approvals.ok,
    detail: `${counted} of ${policy.requiredApprovals} required approval${policy.requiredApprovals === 1 ? '' : 's'} of ${pull.head.sha.slice(0, 12)}${counted > 0 ? ` (${approvals.approvedBy.join(', ')})` : ''}${why}`,
  });

  const { statuses, checkRuns } = await loadCiResults(octokit, slug, pull.head.sha);
  const required = [...new Set([...(await loadRequiredChecks(octokit, slug, pull.base.ref)), ...(policy.requireChecks ?? [])])];
  const ci = judgeCi(statuses, checkRuns, required);
  checks.push({ name: 'ci', ok: ci.ok, detail: ci.ok ? `green: ${ci.passed.join(', ')}` : ci.problems.join('; ') });
  return { pull, checks, approvedBy: approvals.approvedBy };
}

function stateCheck(pull: PullRequest): MergeCheck {
  if (pull.merged) return { name: 'state', ok: false, detail: 'the pull request is already merged' };
  if (pull.state !== 'open') return { name: 'state', ok: false, detail: `the pull request is ${pull.state}` };
  if (pull.draft) return { name: 'state', ok: false, detail: 'the pull request is a draft: mark it ready for review first' };
  return { name: 'state', ok: true, detail: 'open, ready for review' };
}

function baseCheck(pull: PullRequest, slug: RepoSlug, base: string | null): MergeCheck {
  if (pull.base.repo.toLowerCase() !== formatSlug(slug).toLowerCase()) {
    return { name: 'base', ok: false, detail: `the pull request targets ${pull.base.repo}, not ${formatSlug(slug)}` };
  }
  if (base !== null && pull.base.ref !== base) {
    return { name: 'base', ok: false, detail: `the pull request targets ${pull.base.ref}, not ${base}` };
  }
  return { name: 'base', ok: true, detail: `${pull.base.repo} ${pull.base.ref}` };
}

function mergeableCheck(pull: PullRequest): MergeCheck {
  if (pull.mergeable === true) return { name: 'mergeable', ok: true, detail: `mergeable (${pull.mergeableState ?? 'unknown state'})` };
  if (pull.mergeable === null) return { name: 'mergeable', ok: false, detail: 'GitHub is still computing whether it can be merged: run again in a minute' };
  return { name: 'mergeable', ok: false, detail: `GitHub says it cannot be merged (${pull.mergeableState ?? 'conflicts'})` };
}

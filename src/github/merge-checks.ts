import type { Octokit } from '@octokit/rest';
import type { MergeCheck } from '../core/report.js';
import { judgeApprovals, latestDecisiveReviews, type ApprovalJudgement } from './approvals.js';
import { loadBranchRules, type BranchRules } from './branch-rules.js';
import { judgeCi } from './ci-status.js';
import { formatSlug, type RepoSlug } from './repo-slug.js';
import { loadCiResults, loadCommitUsers, loadPermissions, loadPullRequest, loadReviews, type PullRequest } from './pull-request.js';

export interface MergePolicy {
  /** The branch the merge is meant for; when given, the pull request's base must be it. */
  base?: string | null;
  /** At least this many approvals; the base branch's own rule applies when it asks for more. */
  requiredApprovals: number;
  approvers?: readonly string[] | null;
  /** Count approvals from bot accounts. */
  allowBotApprovals?: boolean;
  /** Checks that must have run and passed, beyond those branch protection requires. */
  requireChecks?: readonly string[];
  mergeablePollMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

/** The `mergeable_state` values of a pull request GitHub would merge now (`has_hooks`: clean, with pre-receive hooks). */
const MERGEABLE_STATES = new Set(['clean', 'has_hooks']);

/** Everything GitHub says about whether a pull request may be merged, one check per precondition. */
export async function checkPullRequest(
  octokit: Octokit,
  slug: RepoSlug,
  number: number,
  policy: MergePolicy,
): Promise<{ pull: PullRequest; checks: MergeCheck[]; approvedBy: string[]; rules: BranchRules }> {
  const pull = await loadPullRequest(octokit, slug, number, policy.mergeablePollMs, policy.sleep);
  const checks: MergeCheck[] = [stateCheck(pull), baseCheck(pull, slug, policy.base ?? null)];
  if (pull.state === 'open' && !pull.merged) checks.push(mergeableCheck(pull));

  const rules = await loadBranchRules(octokit, slug, pull.base.ref);
  const required = Math.max(policy.requiredApprovals, rules.requiredApprovals);
  const reviews = await loadReviews(octokit, slug, number);
  const reviewers = [...latestDecisiveReviews(reviews).values()].filter((r) => r.state !== 'DISMISSED').map((r) => r.user?.login ?? '');
  const permissions = await loadPermissions(octokit, slug, reviewers.filter(Boolean));
  const excluded = rules.requireLastPushApproval ? await lastPushers(octokit, slug, pull, rules) : new Map<string, string>();
  const approvals = judgeApprovals(reviews, {
    excluded,
    headSha: pull.head.sha,
    author: pull.author,
    approvers: policy.approvers ?? null,
    required,
    permissions,
    allowBots: policy.allowBotApprovals ?? false,
  });
  checks.push(approvalsCheck(approvals, required, pull), changesCheck(approvals), rulesCheck(rules));

  const { combined, checkRuns } = await loadCiResults(octokit, slug, pull.head.sha);
  const extra = (policy.requireChecks ?? []).filter((name) => !rules.requiredChecks.some((c) => c.context === name)).map((context) => ({ context, appId: null }));
  const ci = judgeCi(combined, checkRuns, [...rules.requiredChecks, ...extra]);
  checks.push({ name: 'ci', ok: ci.ok, detail: ci.ok ? `green: ${ci.passed.join(', ')}` : ci.problems.join('; ') });
  return { pull, checks, approvedBy: approvals.approvedBy, rules };
}

/**
 * Under "approval of the most recent push", whoever pushed the head cannot approve it. REST does not name the
 * pusher; the head commit's GitHub author and committer stand in for them (stricter than GitHub when they
 * did not push), and GitHub's mergeable_state, which knows the pusher, is required clean as well.
 */
async function lastPushers(octokit: Octokit, slug: RepoSlug, pull: PullRequest, rules: BranchRules): Promise<Map<string, string>> {
  const users = await loadCommitUsers(octokit, slug, pull.head.sha);
  if (users === null) rules.notes.push('the head commit is not visible to the token: GitHub\'s mergeable_state stands in for who pushed it');
  const why = 'wrote or committed the head commit, and the base requires the last push to be approved by someone else';
  return new Map((users ?? []).map((login) => [login.toLowerCase(), why]));
}

function approvalsCheck(approvals: ApprovalJudgement, required: number, pull: PullRequest): MergeCheck {
  const counted = approvals.approvedBy.length;
  const why = approvals.notCounted.length > 0 ? `; not counted: ${approvals.notCounted.join('; ')}` : '';
  return {
    name: 'approvals',
    ok: counted >= required,
    detail: `${counted} of ${required} required approval${required === 1 ? '' : 's'} of ${pull.head.sha.slice(0, 12)}${counted > 0 ? ` (${approvals.approvedBy.join(', ')})` : ''}${why}`,
  };
}

function changesCheck(approvals: ApprovalJudgement): MergeCheck {
  const by = approvals.changesRequestedBy;
  if (by.length === 0) return { name: 'changes-requested', ok: true, detail: 'no reviewer with write access requests changes' };
  return { name: 'changes-requested', ok: false, detail: `${by.join(', ')} ${by.length === 1 ? 'requests' : 'request'} changes: GitHub blocks the merge until they approve or the review is dismissed` };
}

function rulesCheck(rules: BranchRules): MergeCheck {
  const read = [
    rules.requiredApprovals > 0 ? `${rules.requiredApprovals} approval${rules.requiredApprovals === 1 ? '' : 's'}` : '',
    rules.requiredChecks.length > 0 ? `checks ${rules.requiredChecks.map((c) => (c.appId !== null && c.appId !== -1 ? `${c.context} (app ${c.appId})` : c.context)).join(', ')}` : '',
    rules.strict ? 'up to date with the base' : '',
    rules.requireCodeOwnerReview ? 'code owner review' : '',
    rules.requireLastPushApproval ? 'approval of the last push' : '',
  ].filter(Boolean);
  const notes = rules.notes.length > 0 ? `; ${rules.notes.join('; ')}` : '';
  if (rules.blockers.length > 0) return { name: 'rules', ok: false, detail: `${rules.blockers.join('; ')}${notes}` };
  return { name: 'rules', ok: true, detail: `${read.length > 0 ? `the base requires ${read.join(', ')}` : 'no review or check rules on the base'}${notes}` };
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

/** GitHub's own verdict over every rule of the base, including those the REST API does not show (conversations, deployments). */
const STATE_REASONS: Readonly<Record<string, string>> = {
  blocked: 'GitHub reports the merge blocked by the base branch\'s rules (reviews, code owners, required checks, conversations or deployments)',
  behind: 'the head is behind the base, which must be up to date: update the branch',
  unstable: 'GitHub reports a failing or pending check',
  draft: 'the pull request is a draft',
  dirty: 'the merge has conflicts',
  unknown: 'GitHub is still computing whether it can be merged: run again in a minute',
};

function mergeableCheck(pull: PullRequest): MergeCheck {
  const state = pull.mergeableState ?? 'unknown';
  if (pull.mergeable === null) return { name: 'mergeable', ok: false, detail: STATE_REASONS.unknown! };
  if (pull.mergeable === true && MERGEABLE_STATES.has(state)) return { name: 'mergeable', ok: true, detail: `mergeable (${state})` };
  const reason = STATE_REASONS[state] ?? `GitHub reports mergeable_state "${state}"`;
  return { name: 'mergeable', ok: false, detail: pull.mergeable === false && state !== 'dirty' ? `GitHub says it cannot be merged (${state})` : `${reason} (${state})` };
}

import type { Octokit } from '@octokit/rest';
import type { RequiredCheck } from './ci-status.js';
import { githubStatusOf, isThrottleOrSso } from './client.js';
import type { RepoSlug } from './repo-slug.js';

/** What the base branch's classic protection and active rulesets ask of a merge, combined (the stricter wins). */
export interface BranchRules {
  requiredChecks: RequiredCheck[];
  /** The head must contain the base tip (classic `strict`, ruleset `strict_required_status_checks_policy`). */
  strict: boolean;
  requiredApprovals: number;
  requireCodeOwnerReview: boolean;
  requireLastPushApproval: boolean;
  /** With dismiss-stale or last-push approval GitHub takes a pushed merge only if it equals its own test merge. */
  dismissStaleReviews: boolean;
  /** Rules no merge commit pushed by merge-sign can satisfy, one line each. */
  blockers: string[];
  /** What could not be read and what stands in for it, one line each. */
  notes: string[];
}

type Protection = Awaited<ReturnType<Octokit['rest']['repos']['getBranchProtection']>>['data'];
type Rule = Awaited<ReturnType<Octokit['rest']['repos']['getBranchRules']>>['data'][number];

/** Reads classic protection (full view with Administration: read, else the partial view any reader gets) and the rules. */
export async function loadBranchRules(octokit: Octokit, slug: RepoSlug, branch: string): Promise<BranchRules> {
  const rules: BranchRules = { requiredChecks: [], strict: false, requiredApprovals: 0, requireCodeOwnerReview: false, requireLastPushApproval: false, dismissStaleReviews: false, blockers: [], notes: [] };
  const repo = { owner: slug.owner, repo: slug.name, branch };
  const protection = await readOptional(async () => (await octokit.rest.repos.getBranchProtection(repo)).data);
  if (protection !== null) applyProtection(rules, protection);
  else {
    const { data } = await octokit.rest.repos.getBranch(repo);
    if (data.protected) {
      rules.notes.push(`${branch} is protected but the token cannot read its review rules (needs Administration: read); GitHub's mergeable_state stands in for them`);
      const checks = data.protection?.required_status_checks;
      if (checks && checks.enforcement_level !== 'off') {
        addChecks(rules, (checks.checks ?? []).map((c) => ({ context: c.context, appId: c.app_id ?? null })), checks.contexts ?? []);
        if (checks.strict) rules.strict = true;
      }
    }
  }
  const ruleset = await readOptional(() => octokit.paginate(octokit.rest.repos.getBranchRules, { ...repo, per_page: 100 }));
  if (ruleset === null) rules.notes.push(`the token cannot read the rulesets of ${branch}; GitHub's mergeable_state stands in for them`);
  else for (const rule of ruleset) applyRule(rules, rule);
  return rules;
}

/** The answer, or null when GitHub says 404 (not protected, or hidden from a non-admin) or 403 (no permission). */
async function readOptional<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    const status = githubStatusOf(error);
    if ((status === 404 || status === 403) && !isThrottleOrSso(error)) return null;
    throw error;
  }
}

function applyProtection(rules: BranchRules, protection: Protection): void {
  const checks = protection.required_status_checks;
  if (checks && checks.enforcement_level !== 'off') {
    addChecks(rules, (checks.checks ?? []).map((c) => ({ context: c.context, appId: c.app_id ?? null })), checks.contexts ?? []);
    if (checks.strict) rules.strict = true;
  }
  const reviews = protection.required_pull_request_reviews;
  if (reviews) {
    rules.requiredApprovals = Math.max(rules.requiredApprovals, reviews.required_approving_review_count ?? 0);
    rules.requireCodeOwnerReview ||= reviews.require_code_owner_reviews === true;
    rules.requireLastPushApproval ||= reviews.require_last_push_approval === true;
    rules.dismissStaleReviews ||= reviews.dismiss_stale_reviews === true;
  }
  if (protection.required_linear_history?.enabled) rules.blockers.push('branch protection requires a linear history: no merge commit can be pushed');
  if (protection.lock_branch?.enabled) rules.blockers.push('the branch is locked: nothing can be pushed to it');
}

function applyRule(rules: BranchRules, rule: Rule): void {
  const from = `ruleset ${rule.ruleset_id ?? '?'}${rule.ruleset_source ? ` of ${rule.ruleset_source}` : ''}`;
  switch (rule.type) {
    case 'required_status_checks': {
      const p = rule.parameters;
      if (!p) return;
      addChecks(rules, p.required_status_checks.map((c) => ({ context: c.context, appId: c.integration_id ?? null })), []);
      if (p.strict_required_status_checks_policy) rules.strict = true;
      return;
    }
    case 'pull_request': {
      const p = rule.parameters;
      if (!p) return;
      rules.requiredApprovals = Math.max(rules.requiredApprovals, p.required_approving_review_count);
      rules.requireCodeOwnerReview ||= p.require_code_owner_review;
      rules.requireLastPushApproval ||= p.require_last_push_approval;
      rules.dismissStaleReviews ||= p.dismiss_stale_reviews_on_push;
      const methods = (p as { allowed_merge_methods?: string[] }).allowed_merge_methods;
      if (methods && !methods.includes('merge')) rules.blockers.push(`${from} allows only ${methods.join(', ')} merges, not a merge commit`);
      return;
    }
    case 'required_linear_history':
      rules.blockers.push(`${from} requires a linear history: no merge commit can be pushed`);
      return;
    case 'merge_queue':
      rules.blockers.push(`${from} requires the merge queue: merges must go through it`);
      return;
    case 'update':
      rules.blockers.push(`${from} restricts updates of the branch to bypass actors`);
      return;
    default:
      return;
  }
}

/** Adds required checks; a name required both pinned and unpinned keeps the pin (the stricter). */
function addChecks(rules: BranchRules, checks: readonly RequiredCheck[], contexts: readonly string[]): void {
  const all = [...checks, ...contexts.filter((c) => !checks.some((k) => k.context === c)).map((context) => ({ context, appId: null }))];
  for (const check of all) {
    const pinned = check.appId !== null && check.appId !== -1;
    if (!rules.requiredChecks.some((k) => k.context === check.context && (k.appId === check.appId || !pinned))) {
      rules.requiredChecks = [...rules.requiredChecks.filter((k) => !(pinned && k.context === check.context && (k.appId === null || k.appId === -1))), check];
    }
  }
}

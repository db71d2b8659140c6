import type { Octokit } from '@octokit/rest';
import { RemoteError } from '../core/errors.js';
import type { MergeCheck } from '../core/report.js';
import { changedPaths, readFileAt, treeAndParents } from '../git/merge.js';
import { isAncestor } from '../git/refs.js';
import type { BranchRules } from '../github/branch-rules.js';
import { githubStatusOf } from '../github/client.js';
import { CODEOWNERS_PATHS, parseCodeOwners, unapprovedOwnedPaths, type IsMember } from '../github/code-owners.js';
import type { PullRequest } from '../github/pull-request.js';

/** What the base branch's rules ask of the fetched commits: up to date, code owners, GitHub's own merge. */
export interface BaseCheckInput {
  scratch: string;
  base: string;
  head: string;
  /** The tree of the merge siggate made. */
  tree: string;
  /** `refs/pull/N/merge` as fetched, or null when the remote has none. */
  githubMerge: string | null;
  pull: PullRequest;
  rules: BranchRules;
  approvedBy: readonly string[];
  octokit: Octokit;
}

/** The checks that need the commits; each refuses what GitHub would refuse on a direct push of this merge. */
export async function checkAgainstBase(input: BaseCheckInput): Promise<MergeCheck[]> {
  const checks: MergeCheck[] = [];
  const { scratch, base, head, rules, pull } = input;
  if (rules.strict) {
    const upToDate = await isAncestor(scratch, base, head);
    checks.push(upToDate
      ? { name: 'up-to-date', ok: true, detail: `the head contains ${pull.base.ref}'s tip, as the base's strict status checks require` }
      : { name: 'up-to-date', ok: false, detail: `the base requires the head to be up to date and it lacks ${pull.base.ref}'s tip ${base.slice(0, 12)}: update the branch` });
  }
  if (rules.requireCodeOwnerReview) checks.push(await codeOwnersCheck(input));
  if (rules.dismissStaleReviews || rules.requireLastPushApproval) checks.push(await githubMergeCheck(input));
  return checks;
}

/** With dismiss-stale or last-push approval GitHub refuses a pushed merge whose content differs from its own test merge. */
async function githubMergeCheck(input: BaseCheckInput): Promise<MergeCheck> {
  const why = input.rules.dismissStaleReviews ? 'stale reviews are dismissed on push' : 'the last push must be approved';
  if (input.githubMerge === null) return { name: 'github-merge', ok: false, detail: `${why}, so the merge must equal GitHub's test merge, and refs/pull/${input.pull.number}/merge is not there` };
  const theirs = await treeAndParents(input.scratch, input.githubMerge);
  if (!theirs || theirs.parents[0] !== input.base || theirs.parents[1] !== input.head) {
    return { name: 'github-merge', ok: false, detail: `GitHub's test merge is not of the current base and head yet: run again in a minute` };
  }
  if (theirs.tree !== input.tree) return { name: 'github-merge', ok: false, detail: `${why}, so the merge must equal GitHub's test merge, and its tree differs` };
  return { name: 'github-merge', ok: true, detail: `the merge's tree equals GitHub's test merge (${why})` };
}

async function codeOwnersCheck(input: BaseCheckInput): Promise<MergeCheck> {
  let found: { path: string; text: string } | null = null;
  for (const path of CODEOWNERS_PATHS) {
    const text = await readFileAt(input.scratch, input.base, path);
    if (text !== null) {
      found = { path, text };
      break;
    }
  }
  if (found === null) return { name: 'code-owners', ok: true, detail: `code owner review is required and ${input.pull.base.ref} has no CODEOWNERS: nothing is owned` };
  const { rules, errors } = parseCodeOwners(found.text);
  if (errors.length > 0) return { name: 'code-owners', ok: false, detail: `code owner review is required and ${found.path} on ${input.pull.base.ref} has errors GitHub would reject it for: ${errors.join('; ')}` };
  const paths = await changedPaths(input.scratch, input.base, input.head);
  let missing: string[];
  try {
    missing = await unapprovedOwnedPaths(rules, paths, input.approvedBy, teamMembership(input.octokit));
  } catch (error) {
    if (!(error instanceof MembershipUnknown)) throw error;
    return { name: 'code-owners', ok: false, detail: `code owner review is required and ${error.message}` };
  }
  if (missing.length > 0) return { name: 'code-owners', ok: false, detail: `no approval from a code owner (${found.path}) for ${missing.join(', ')}` };
  return { name: 'code-owners', ok: true, detail: `every owned path changed is approved by an owner (${found.path})` };
}

/** A team owner's membership GitHub would not show: the code-owner rule cannot be established, so the merge is refused. */
class MembershipUnknown extends RemoteError {}

/** Active membership through `GET /orgs/{org}/teams/{team}/memberships/{user}`; a 404 is "not a member", anything else unknowable stops the run. */
function teamMembership(octokit: Octokit): IsMember {
  return async (team, login) => {
    try {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org: team.org, team_slug: team.slug, username: login });
      return data.state === 'active';
    } catch (error) {
      if (githubStatusOf(error) === 404) return false;
      throw new MembershipUnknown(`cannot tell whether ${login} is in @${team.org}/${team.slug}, a code owner: the token needs Members: read on ${team.org} (classic: read:org) — ${(error as Error).message}`, { cause: error });
    }
  };
}

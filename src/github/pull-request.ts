import type { Octokit } from '@octokit/rest';
import type { Review } from './approvals.js';
import type { CheckRun, CombinedStatus, CommitStatus } from './ci-status.js';
import type { RepoSlug } from './repo-slug.js';
import { githubStatusOf, isThrottleOrSso, sleep } from './client.js';
import { RemoteError } from '../core/errors.js';

/** What merge-sign needs of a pull request. */
export interface PullRequest {
  number: number;
  url: string;
  title: string;
  author: string;
  state: string;
  draft: boolean;
  merged: boolean;
  /** null: GitHub has not finished computing it. */
  mergeable: boolean | null;
  mergeableState: string | null;
  head: { ref: string; sha: string; owner: string; repo: string | null };
  base: { ref: string; sha: string; repo: string };
}

/** Backoff while GitHub computes `mergeable` (about 30 s in all). */
export const DEFAULT_MERGEABLE_POLL_MS: readonly number[] = [1000, 2000, 3000, 5000, 8000, 11000];

/** Fetches the pull request; while `mergeable` is null or `mergeable_state` unknown, asks again after each delay of `pollMs`. */
export async function loadPullRequest(
  octokit: Octokit,
  slug: RepoSlug,
  number: number,
  pollMs: readonly number[] = DEFAULT_MERGEABLE_POLL_MS,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<PullRequest> {
  let pull = await fetchPull(octokit, slug, number);
  for (const delay of pollMs) {
    if ((pull.mergeable !== null && pull.mergeableState !== 'unknown') || pull.state !== 'open') break;
    await wait(delay);
    pull = await fetchPull(octokit, slug, number);
  }
  return pull;
}

async function fetchPull(octokit: Octokit, slug: RepoSlug, number: number): Promise<PullRequest> {
  const { data } = await octokit.rest.pulls.get({ owner: slug.owner, repo: slug.name, pull_number: number });
  // a proxy's error page arrives as a string with status 200; nothing below may read a shape that is not there
  if (typeof data !== 'object' || data === null || typeof data.head?.sha !== 'string' || typeof data.base?.ref !== 'string') {
    throw new RemoteError(`GitHub's answer for pull request #${number} is not a pull request`);
  }
  return {
    number: data.number,
    url: data.html_url,
    title: data.title,
    author: data.user?.login ?? '',
    state: data.state,
    draft: data.draft ?? false,
    merged: data.merged ?? false,
    mergeable: data.mergeable ?? null,
    mergeableState: data.mergeable_state ?? null,
    head: {
      ref: data.head.ref,
      sha: data.head.sha,
      owner: data.head.repo?.owner.login ?? data.head.user?.login ?? data.head.label.split(':')[0] ?? '',
      repo: data.head.repo?.full_name ?? null,
    },
    base: { ref: data.base.ref, sha: data.base.sha, repo: data.base.repo.full_name },
  };
}

/** Every review of the pull request, oldest first, across all pages. */
export async function loadReviews(octokit: Octokit, slug: RepoSlug, number: number): Promise<Review[]> {
  return octokit.paginate(octokit.rest.pulls.listReviews, { owner: slug.owner, repo: slug.name, pull_number: number, per_page: 100 });
}

/** The combined status over all its pages and the latest check run of each name, for one commit. */
export async function loadCiResults(octokit: Octokit, slug: RepoSlug, sha: string): Promise<{ combined: CombinedStatus; checkRuns: CheckRun[] }> {
  const combined = await loadCombinedStatus(octokit, slug, sha);
  const checkRuns = await octokit.paginate(octokit.rest.checks.listForRef, {
    owner: slug.owner,
    repo: slug.name,
    ref: sha,
    filter: 'latest',
    per_page: 100,
  });
  return { combined, checkRuns };
}

/** Octokit's paginate leaves this answer alone (it has a `url`): ask page after page until `total_count` is reached. */
async function loadCombinedStatus(octokit: Octokit, slug: RepoSlug, sha: string): Promise<CombinedStatus> {
  const statuses: CommitStatus[] = [];
  let state = 'pending';
  let totalCount = 0;
  for (let page = 1; page <= 100; page++) {
    const { data } = await octokit.rest.repos.getCombinedStatusForRef({ owner: slug.owner, repo: slug.name, ref: sha, per_page: 100, page });
    if (page === 1) [state, totalCount] = [data.state, data.total_count];
    statuses.push(...data.statuses);
    if (data.statuses.length < 100 || statuses.length >= totalCount) break;
  }
  return { state, totalCount, statuses };
}

/**
 * Each login's permission on the repository (`admin`, `write`, `read`, `none`), keyed in lower case; a
 * login GitHub does not know (404) has none. Other failures stop the run: an unknown permission never counts.
 */
export async function loadPermissions(octokit: Octokit, slug: RepoSlug, logins: Iterable<string>): Promise<Map<string, string>> {
  const permissions = new Map<string, string>();
  for (const login of logins) {
    const key = login.toLowerCase();
    if (permissions.has(key)) continue;
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: slug.owner, repo: slug.name, username: login });
      permissions.set(key, data.user?.permissions?.maintain ? 'maintain' : data.permission);
    } catch (error) {
      if (githubStatusOf(error) !== 404) throw error;
      permissions.set(key, 'none');
    }
  }
  return permissions;
}

/** Deletes a branch of the repository (after a merge). */
export async function deleteBranch(octokit: Octokit, slug: RepoSlug, branch: string): Promise<void> {
  await octokit.rest.git.deleteRef({ owner: slug.owner, repo: slug.name, ref: `heads/${branch}` });
}

/**
 * The GitHub users linked as author and committer of a commit (GitHub's own `web-flow` left out): the nearest
 * the REST API comes to who pushed it. Null when GitHub will not show the commit to this token.
 */
export async function loadCommitUsers(octokit: Octokit, slug: RepoSlug, sha: string): Promise<string[] | null> {
  try {
    const { data } = await octokit.rest.repos.getCommit({ owner: slug.owner, repo: slug.name, ref: sha, per_page: 1 });
    const logins = [data.author, data.committer].map((user) => (user && 'login' in user ? user.login : null));
    return [...new Set(logins.filter((login): login is string => typeof login === 'string' && login !== 'web-flow'))];
  } catch (error) {
    const status = githubStatusOf(error);
    if ((status === 404 || status === 403) && !isThrottleOrSso(error)) return null;
    throw error;
  }
}

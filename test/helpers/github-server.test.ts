// The fake GitHub of test/helpers/github-server.ts, driven by a plain @octokit/rest client as `merge-sign` drives it:
// real response shapes, Link pagination, auth, injected faults, and what Octokit itself does with them.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/rest';
import { Repo } from '../../fixtures/lib/repo.js';
import { cleanupAll } from '../../fixtures/lib/temp.js';
import { startFakeGitHub } from './github-server.js';
import type { FakeGitHub, FakePull, FakeReview } from './github-server.js';

afterAll(cleanupAll);

const TOKEN = 'tok-3kq9-fake-github';
const SHA = {
  head: '1111111111111111111111111111111111111111',
  base: '2222222222222222222222222222222222222222',
  other: '3333333333333333333333333333333333333333',
};
const owner = 'acme';
const repo = 'widgets';

let gh: FakeGitHub;
let octokit: Octokit;
/** What Octokit logged: plugin-request-log reports every failed request through `log.error`, on stderr by default. */
let logged: string[];

/** A plain client of the fake, with its log captured instead of printed. */
function client(auth: string | null = TOKEN): Octokit {
  const log = { debug: () => undefined, info: () => undefined, warn: (m: string) => logged.push(`warn ${m}`), error: (m: string) => logged.push(`error ${m}`) };
  return new Octokit({ ...(auth === null ? {} : { auth }), baseUrl: gh.baseUrl, request: { retries: 0 }, log });
}

function pull(overrides: Partial<FakePull> = {}): FakePull {
  return {
    number: 7,
    state: 'open',
    draft: false,
    title: 'Add sprockets',
    user: { login: 'mallory' },
    mergeable: true,
    head: { ref: 'feature/sprockets', sha: SHA.head, repoFullName: 'mallory/widgets' },
    base: { ref: 'main', sha: SHA.base, repoFullName: 'acme/widgets' },
    ...overrides,
  };
}

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<Error & { status: number; response?: { headers: Record<string, string>; data: unknown } }> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error) || !('status' in error) || typeof error.status !== 'number') throw error;
  return error as Error & { status: number; response?: { headers: Record<string, string>; data: unknown } };
}

beforeEach(async () => {
  logged = [];
  gh = await startFakeGitHub({ fullName: 'acme/widgets', token: TOKEN });
  octokit = client();
});
afterEach(async () => {
  const invalid = [...gh.invalidReplies];
  await gh.close();
  expect(invalid).toEqual([]);
});

describe('pulls', () => {
  it('answers a pull in GitHub’s shape, fork head included, naming the repository case-insensitively', async () => {
    gh.repo.pulls.set(7, pull());
    const { data, status, headers } = await octokit.rest.pulls.get({ owner: 'ACME', repo: 'Widgets', pull_number: 7 });
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(data).toMatchObject({
      number: 7,
      state: 'open',
      draft: false,
      merged: false,
      title: 'Add sprockets',
      html_url: 'https://github.example/acme/widgets/pull/7',
      user: { login: 'mallory', type: 'User' },
      mergeable: true,
      mergeable_state: 'clean',
      head: { ref: 'feature/sprockets', sha: SHA.head, label: 'mallory:feature/sprockets', user: { login: 'mallory' }, repo: { full_name: 'mallory/widgets', owner: { login: 'mallory' } } },
      base: { ref: 'main', sha: SHA.base, label: 'acme:main', user: { login: 'acme' }, repo: { full_name: 'acme/widgets', owner: { login: 'acme' } } },
    });
    // the rest of GitHub's shape comes from its example: fields merge-sign does not read are there too
    expect(Object.keys(data)).toEqual(expect.arrayContaining(['_links', 'author_association', 'auto_merge', 'requested_teams', 'rebaseable']));
    expect(headers['x-ratelimit-remaining']).toBe('4999');
    expect(gh.requests).toEqual(['GET /repos/ACME/Widgets/pulls/7']);
  });

  it('answers mergeable: null for the first mergeableNullTimes GETs, then the real value', async () => {
    gh.repo.pulls.set(7, pull({ mergeable: false, mergeable_state: 'dirty', mergeableNullTimes: 2 }));
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: 7 });
      seen.push([data.mergeable, data.mergeable_state]);
    }
    expect(seen).toEqual([[null, 'unknown'], [null, 'unknown'], [false, 'dirty'], [false, 'dirty']]);
  });

  it('answers 404 for an unknown pull, an unknown repository and an unknown endpoint, recording each', async () => {
    gh.repo.pulls.set(7, pull());
    for (const call of [
      () => octokit.rest.pulls.get({ owner, repo, pull_number: 8 }),
      () => octokit.rest.pulls.get({ owner, repo: 'gadgets', pull_number: 7 }),
      () => octokit.rest.pulls.merge({ owner, repo, pull_number: 7 }),
    ]) {
      const error = await rejection(call());
      expect(error.status).toBe(404);
      expect(error.response?.data).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    }
    expect(gh.requests).toEqual([
      'GET /repos/acme/widgets/pulls/8',
      'GET /repos/acme/gadgets/pulls/7',
      'PUT /repos/acme/widgets/pulls/7/merge',
    ]);
    const unprotected = await rejection(octokit.rest.repos.getBranchProtection({ owner, repo, branch: 'main' }));
    expect([unprotected.status, unprotected.response?.data]).toEqual([404, { message: 'Branch not protected', documentation_url: 'https://docs.github.com/rest' }]);
  });
});

describe('reviews', () => {
  const review = (login: string, state: FakeReview['state']): FakeReview => ({ user: { login }, state, commit_id: SHA.head });

  it('pages with a real Link header, keeping per_page, and numbers the reviews in order', async () => {
    gh.repo.pulls.set(7, pull());
    gh.repo.reviews.set(7, ['r1', 'r2', 'r3', 'r4', 'r5'].map((login) => review(login, 'APPROVED')));
    const url = (page: number) => `${gh.baseUrl}/repos/acme/widgets/pulls/7/reviews?per_page=2&page=${page}`;
    const first = await octokit.rest.pulls.listReviews({ owner, repo, pull_number: 7, per_page: 2 });
    expect(first.data.map((r) => r.user?.login)).toEqual(['r1', 'r2']);
    expect(first.headers.link).toBe(`<${url(2)}>; rel="next", <${url(3)}>; rel="last"`);
    const second = await octokit.rest.pulls.listReviews({ owner, repo, pull_number: 7, per_page: 2, page: 2 });
    expect(second.headers.link).toBe(`<${url(1)}>; rel="prev", <${url(3)}>; rel="next", <${url(3)}>; rel="last", <${url(1)}>; rel="first"`);
    const third = await octokit.rest.pulls.listReviews({ owner, repo, pull_number: 7, per_page: 2, page: 3 });
    expect(third.data).toMatchObject([{ id: 5, user: { login: 'r5', type: 'User' }, state: 'APPROVED', commit_id: SHA.head, submitted_at: '2024-01-01T00:04:00Z', body: '', author_association: 'NONE' }]);
    expect(third.headers.link).toBe(`<${url(2)}>; rel="prev", <${url(1)}>; rel="first"`);

    gh.requests.length = 0;
    const all = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: 7, per_page: 2 });
    expect(all.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(gh.requests).toEqual([
      'GET /repos/acme/widgets/pulls/7/reviews?per_page=2',
      'GET /repos/acme/widgets/pulls/7/reviews?per_page=2&page=2',
      'GET /repos/acme/widgets/pulls/7/reviews?per_page=2&page=3',
    ]);
  });

  it('defaults to 30 a page, caps per_page at 100, answers one page without Link, keeps given ids and times', async () => {
    gh.repo.pulls.set(7, pull());
    gh.repo.reviews.set(7, Array.from({ length: 130 }, (_, i) => review(`u${i}`, 'COMMENTED')));
    const byDefault = await octokit.rest.pulls.listReviews({ owner, repo, pull_number: 7 });
    expect(byDefault.data).toHaveLength(30);
    expect(byDefault.headers.link).toContain('page=5>; rel="last"');
    const capped = await octokit.rest.pulls.listReviews({ owner, repo, pull_number: 7, per_page: 500 });
    expect(capped.data).toHaveLength(100);
    expect(capped.data[99]?.id).toBe(100);

    gh.repo.reviews.set(7, [{ id: 901, user: { login: 'bob' }, state: 'CHANGES_REQUESTED', commit_id: SHA.other, submitted_at: '2025-02-03T04:05:06Z' }]);
    const one = await octokit.rest.pulls.listReviews({ owner, repo, pull_number: 7 });
    expect(one.headers.link).toBeUndefined();
    expect(one.data).toMatchObject([{ id: 901, user: { login: 'bob' }, state: 'CHANGES_REQUESTED', commit_id: SHA.other, submitted_at: '2025-02-03T04:05:06Z', body: '' }]);
    expect((await rejection(octokit.rest.pulls.listReviews({ owner, repo, pull_number: 8 }))).status).toBe(404);
  });
});

describe('statuses and check runs', () => {
  it('combines statuses as GitHub does: none is pending, the latest per context counts, error is failure', async () => {
    const combined = async () => (await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: SHA.head })).data;
    expect(await combined()).toMatchObject({ state: 'pending', sha: SHA.head, total_count: 0, statuses: [] });

    gh.repo.statuses.set(SHA.head, [{ context: 'ci/build', state: 'success' }, { context: 'ci/lint', state: 'pending', description: 'queued', target_url: 'https://ci.example/1' }]);
    expect((await combined()).state).toBe('pending');
    gh.repo.statuses.get(SHA.head)?.push({ context: 'ci/lint', state: 'success' });
    expect(await combined()).toMatchObject({
      state: 'success',
      sha: SHA.head,
      total_count: 2,
      statuses: [
        { context: 'ci/build', state: 'success', description: null, target_url: null },
        { context: 'ci/lint', state: 'success', description: null, target_url: null },
      ],
    });
    gh.repo.statuses.get(SHA.head)?.push({ context: 'ci/build', state: 'error' });
    expect((await combined()).state).toBe('failure');
    // Another commit has statuses of its own.
    expect((await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: SHA.other })).data.state).toBe('pending');
  });

  it('lists check runs with a total count and pages them', async () => {
    gh.repo.checkRuns.set(SHA.head, [
      { name: 'build', status: 'completed', conclusion: 'success' },
      { name: 'test', status: 'in_progress', conclusion: null },
      { name: 'lint', status: 'completed', conclusion: 'failure' },
    ]);
    const page = await octokit.rest.checks.listForRef({ owner, repo, ref: SHA.head, per_page: 2 });
    expect(page.data).toMatchObject({
      total_count: 3,
      check_runs: [
        { id: 1, name: 'build', head_sha: SHA.head, status: 'completed', conclusion: 'success', app: { id: 15368, slug: 'github-actions' } },
        { id: 2, name: 'test', head_sha: SHA.head, status: 'in_progress', conclusion: null },
      ],
    });
    const all = await octokit.paginate(octokit.rest.checks.listForRef, { owner, repo, ref: SHA.head, per_page: 2 });
    expect(all.map((run) => [run.name, run.conclusion])).toEqual([['build', 'success'], ['test', null], ['lint', 'failure']]);
    expect((await octokit.rest.checks.listForRef({ owner, repo, ref: SHA.other })).data).toMatchObject({ total_count: 0, check_runs: [] });
  });
});

describe('branches and refs', () => {
  it('reports branch protection, its required contexts, and an unprotected branch, slashes in names included', async () => {
    gh.repo.protection.set('release/1.x', ['ci/build', 'ci/lint']);
    const { data } = await octokit.rest.repos.getBranch({ owner, repo, branch: 'release/1.x' });
    expect(data).toMatchObject({
      name: 'release/1.x',
      protected: true,
      protection: { enabled: true, required_status_checks: { enforcement_level: 'everyone', contexts: ['ci/build', 'ci/lint'], checks: [{ context: 'ci/build', app_id: null }, { context: 'ci/lint', app_id: null }] } },
    });
    expect(gh.requests).toEqual(['GET /repos/acme/widgets/branches/release%2F1.x']);
    const open = (await octokit.rest.repos.getBranch({ owner, repo, branch: 'main' })).data;
    expect([open.protected, open.protection]).toMatchObject([false, { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } }]);
  });

  it('deletes a branch in the bare repository, and answers 422 for one that does not exist', async () => {
    const bare = await Repo.init({ bare: true });
    const tip = await bare.commit({ message: 'one\n' });
    await bare.setRef('refs/heads/feature/x', tip);
    await gh.close();
    gh = await startFakeGitHub({ fullName: 'acme/widgets', token: TOKEN, bareDir: bare.dir });
    octokit = client();

    const deleted = await octokit.rest.git.deleteRef({ owner, repo, ref: 'heads/feature/x' });
    expect([deleted.status, deleted.data]).toEqual([204, '']);
    expect(await bare.git('for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
    expect(gh.deletedRefs).toEqual(['feature/x']);
    for (const ref of ['heads/feature/x', 'heads/nope', 'heads/../config']) {
      const error = await rejection(octokit.rest.git.deleteRef({ owner, repo, ref }));
      expect([error.status, error.message]).toEqual([422, 'Reference does not exist - https://docs.github.com/rest']);
    }
    // The repository decides: a branch pushed again can be deleted again.
    await bare.setRef('refs/heads/feature/x', tip);
    expect((await octokit.rest.git.deleteRef({ owner, repo, ref: 'heads/feature/x' })).status).toBe(204);
    expect(gh.deletedRefs).toEqual(['feature/x', 'feature/x']);
    // A hand-written unencoded path works too, and a tag is not a branch.
    expect((await fetch(`${gh.baseUrl}/repos/acme/widgets/git/refs/heads/main`, { method: 'DELETE', headers: { authorization: `token ${TOKEN}` } })).status).toBe(204);
    expect(await bare.git('for-each-ref', '--format=%(refname)')).toBe('');
    expect((await rejection(octokit.rest.git.deleteRef({ owner, repo, ref: 'tags/v1' }))).status).toBe(404);
  });

  it('without a bare repository, deletes any branch once', async () => {
    expect((await octokit.rest.git.deleteRef({ owner, repo, ref: 'heads/topic' })).status).toBe(204);
    expect((await rejection(octokit.rest.git.deleteRef({ owner, repo, ref: 'heads/topic' }))).status).toBe(422);
    expect(gh.deletedRefs).toEqual(['topic']);
  });
});

describe('auth', () => {
  it('takes `token` and `bearer` in any case, and refuses a wrong, missing or basic credential with 401', async () => {
    gh.repo.pulls.set(7, pull());
    const url = `${gh.baseUrl}/repos/acme/widgets/pulls/7`;
    const statusWith = async (authorization?: string) => (await fetch(url, authorization === undefined ? {} : { headers: { authorization } })).status;
    expect(await statusWith(`token ${TOKEN}`)).toBe(200);
    expect(await statusWith(`Bearer ${TOKEN}`)).toBe(200);
    expect(await statusWith(`BEARER ${TOKEN}`)).toBe(200);
    expect(await statusWith(`Token ${TOKEN}x`)).toBe(401);
    expect(await statusWith(`Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)).toBe(401);
    expect(await statusWith()).toBe(401);
    const refused = await fetch(url);
    expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await refused.json()).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
  });

  it('Octokit sends `token <auth>`; a bad token is a RequestError with status 401 and GitHub’s message', async () => {
    gh.repo.pulls.set(7, pull());
    expect((await octokit.rest.pulls.get({ owner, repo, pull_number: 7 })).status).toBe(200);
    const wrong = client('not-the-token');
    const error = await rejection(wrong.rest.pulls.get({ owner, repo, pull_number: 7 }));
    expect(error.constructor.name).toBe('RequestError');
    expect(error.name).toBe('HttpError');
    expect(error.status).toBe(401);
    expect(error.message).toBe('Bad credentials - https://docs.github.com/rest');
    expect(error.response?.data).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    // Unauthenticated: no header at all.
    const anonymous = client(null);
    expect((await rejection(anonymous.rest.pulls.get({ owner, repo, pull_number: 7 }))).status).toBe(401);
  });
});

describe('faults', () => {
  it('answers a route’s fault `times` times, then serves; Octokit 22 does not retry a 502 by itself', async () => {
    gh.repo.pulls.set(7, pull());
    gh.faults.set('pull', { status: 502, times: 2 });
    const call = () => octokit.rest.pulls.get({ owner, repo, pull_number: 7 });
    for (let i = 0; i < 2; i++) {
      const error = await rejection(call());
      expect([error.status, error.message, error.response?.data]).toEqual([502, 'Bad Gateway', { message: 'Bad Gateway' }]);
    }
    expect(gh.faults.has('pull')).toBe(false);
    expect((await call()).data.number).toBe(7);
    expect(gh.requests).toHaveLength(3);
    expect(logged).toEqual([
      expect.stringMatching(/^error GET \/repos\/acme\/widgets\/pulls\/7 - 502 with id UNKNOWN in \d+ms$/),
      expect.stringMatching(/^error GET \/repos\/acme\/widgets\/pulls\/7 - 502 with id UNKNOWN in \d+ms$/),
    ]);
    // Other routes were never faulted.
    gh.faults.set('reviews', { status: 500, times: 1 });
    expect((await octokit.rest.pulls.get({ owner, repo, pull_number: 7 })).status).toBe(200);
    expect((await rejection(octokit.rest.pulls.listReviews({ owner, repo, pull_number: 7 }))).status).toBe(500);
  });

  it('passes a rate-limit 403 with its headers through as a RequestError', async () => {
    const reset = Math.floor(Date.now() / 1000) + 60;
    gh.faults.set('status', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for user ID 1.' },
      times: 99,
    });
    const error = await rejection(octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: SHA.head }));
    expect(error.status).toBe(403);
    expect(error.message).toBe('API rate limit exceeded for user ID 1.');
    expect(error.response?.headers['x-ratelimit-remaining']).toBe('0');
    expect(error.response?.headers['x-ratelimit-reset']).toBe(String(reset));
    expect(gh.faults.get('status')?.times).toBe(98);
    expect(gh.requests).toHaveLength(1);
  });

  it('`*` covers every route, unknown ones too; a route’s own fault goes first; faults never beat auth', async () => {
    gh.repo.pulls.set(7, pull());
    gh.faults.set('*', { status: 503, times: 2 });
    gh.faults.set('pull', { status: 504, times: 1 });
    expect((await rejection(octokit.rest.pulls.get({ owner, repo, pull_number: 7 }))).status).toBe(504);
    expect((await rejection(octokit.rest.pulls.get({ owner, repo, pull_number: 7 }))).status).toBe(503);
    const wrong = client('nope');
    expect((await rejection(wrong.rest.issues.get({ owner, repo, issue_number: 1 }))).status).toBe(401);
    expect((await rejection(octokit.rest.issues.get({ owner, repo, issue_number: 1 }))).status).toBe(503);
    expect((await octokit.rest.pulls.get({ owner, repo, pull_number: 7 })).status).toBe(200);
  });

  it('sends a string body verbatim, and revokeToken() answers 401 to everything from then on', async () => {
    gh.repo.pulls.set(7, pull());
    gh.faults.set('pull', { status: 200, body: '{"number": 7,', times: 1 });
    expect((await octokit.rest.pulls.get({ owner, repo, pull_number: 7 })).data).toBe('{"number": 7,');
    gh.revokeToken();
    for (let i = 0; i < 3; i++) {
      const error = await rejection(octokit.rest.pulls.get({ owner, repo, pull_number: 7 }));
      expect([error.status, error.message]).toEqual([401, 'Bad credentials - https://docs.github.com/rest']);
    }
    expect((await rejection(octokit.rest.repos.getBranch({ owner, repo, branch: 'main' }))).status).toBe(401);
  });
});

describe("GitHub's schema", () => {
  it('a reply GitHub would never send is not sent: it becomes a 500 and is recorded', async () => {
    // a pull request's state is open or closed in GitHub's schema; "merged" is a separate boolean
    gh.repo.pulls.set(7, { ...pull(), state: 'merged' as 'open' });
    expect((await rejection(octokit.rest.pulls.get({ owner, repo, pull_number: 7 }))).status).toBe(500);
    expect(gh.invalidReplies).toHaveLength(1);
    expect(gh.invalidReplies[0]).toContain('/state');
    gh.invalidReplies.length = 0;
  });

  it('pages the combined status, total_count over all contexts, and check runs with filter=latest by default', async () => {
    gh.repo.statuses.set(SHA.head, Array.from({ length: 130 }, (_, i) => ({ context: `c${i}`, state: i === 120 ? 'failure' as const : 'success' as const })));
    const first = await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: SHA.head, per_page: 100 });
    expect([first.data.total_count, first.data.statuses.length, first.data.state]).toEqual([130, 100, 'failure']);
    const second = await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: SHA.head, per_page: 100, page: 2 });
    expect(second.data.statuses.map((s) => s.context)).toContain('c120');
    gh.repo.checkRuns.set(SHA.head, [
      { name: 'build', status: 'completed', conclusion: 'failure' },
      { name: 'build', status: 'completed', conclusion: 'success' },
      { name: 'build', status: 'completed', conclusion: 'success', app: { id: 42, slug: 'other-ci' } },
    ]);
    const latest = await octokit.rest.checks.listForRef({ owner, repo, ref: SHA.head });
    expect(latest.data.check_runs.map((r) => [r.conclusion, r.app?.id])).toEqual([['success', 15368], ['success', 42]]);
    const every = await octokit.rest.checks.listForRef({ owner, repo, ref: SHA.head, filter: 'all' });
    expect(every.data.total_count).toBe(3);
  });

  it('answers permissions, team memberships, full protection (or 404 to a non-admin) and ruleset rules', async () => {
    gh.repo.permissions.set('bob', 'maintain');
    const bob = (await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: 'bob' })).data;
    expect([bob.permission, bob.role_name, bob.user?.permissions?.push]).toEqual(['write', 'maintain', true]);
    expect((await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: 'eve' })).data.permission).toBe('read');
    gh.repo.teams.set('acme/core', ['bob']);
    expect((await octokit.rest.teams.getMembershipForUserInOrg({ org: 'acme', team_slug: 'core', username: 'bob' })).data.state).toBe('active');
    expect((await rejection(octokit.rest.teams.getMembershipForUserInOrg({ org: 'acme', team_slug: 'core', username: 'eve' }))).status).toBe(404);
    gh.repo.protection.set('main', { checks: [{ context: 'build', app_id: 15368 }], strict: true, reviews: { required_approving_review_count: 2, require_code_owner_reviews: true } });
    const full = (await octokit.rest.repos.getBranchProtection({ owner, repo, branch: 'main' })).data;
    expect(full).toMatchObject({ required_status_checks: { strict: true, checks: [{ context: 'build', app_id: 15368 }] }, required_pull_request_reviews: { required_approving_review_count: 2, require_code_owner_reviews: true } });
    gh.repo.protectionReadable = false;
    expect((await rejection(octokit.rest.repos.getBranchProtection({ owner, repo, branch: 'main' }))).status).toBe(404);
    gh.repo.rules.set('main', [{ type: 'pull_request', parameters: { required_approving_review_count: 3, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false } }]);
    const rules = (await octokit.rest.repos.getBranchRules({ owner, repo, branch: 'main' })).data;
    expect(rules).toMatchObject([{ type: 'pull_request', ruleset_source: 'acme/widgets', parameters: { required_approving_review_count: 3 } }]);
  });
});

// Attacks on merge-sign's reading of the base branch's rules (classic protection and rulesets): code owners,
// GitHub's own test merge under dismiss-stale / last-push approval, rules no merge commit can satisfy.
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeSign } from '../../src/commands/merge-sign.js';
import { ISOLATED_GIT, mergeWorld, PR, type MergeWorld } from '../helpers/merge-world.js';
import type { FakeRule } from '../helpers/github-server.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let demo: DemoWorld;
beforeAll(async () => {
  Object.assign(process.env, ISOLATED_GIT);
  demo = await demoWorld();
});

const failed = (result: { checks: { name: string; ok: boolean }[] }): string[] => result.checks.filter((c) => !c.ok).map((c) => c.name);

const pullRequestRule = (parameters: Record<string, unknown>): FakeRule => ({
  type: 'pull_request',
  parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: false, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false, ...parameters },
});

/** Commits `files` on the base branch (signed, as the gate wants), as someone else would. */
async function commitOnBase(world: MergeWorld, files: Record<string, string>): Promise<void> {
  await world.other.git('pull', '-q', '--ff-only', 'origin', 'main');
  await world.other.commit({ message: 'base change', files, sign: demo.as('alice') });
  await world.other.git('push', '-q', 'origin', 'HEAD:main');
}

/** Makes `refs/pull/7/merge` on the remote: GitHub's test merge of the current base and head, or of another tree. */
async function makeGitHubMerge(world: MergeWorld, tree?: string): Promise<void> {
  const base = await world.remote.revParse('main');
  const merged = tree ?? (await world.remote.git('merge-tree', '--write-tree', base, world.pull.head.sha)).trim();
  const commit = (await world.remote.git('commit-tree', merged, '-p', base, '-p', world.pull.head.sha, '-m', `Merge ${world.pull.head.sha} into ${base}`)).trim();
  await world.remote.git('update-ref', `refs/pull/${PR}/merge`, commit);
}

describe('code owners', () => {
  it("an approval from a writer who owns nothing does not satisfy a required code owner review; the owner's does", async () => {
    const world = await mergeWorld(demo);
    await commitOnBase(world, { '.github/CODEOWNERS': '* @bob\ndeploy.yml @dave\n' });
    world.github.repo.rules.set('main', [pullRequestRule({ require_code_owner_review: true })]);
    const result = await mergeSign(world.options());
    expect([result.status, failed(result), result.pushed]).toEqual(['refused', ['code-owners'], false]);
    // control: dave, the owner of deploy.yml (last matching line wins), approves too
    world.github.repo.permissions.set('dave', 'write');
    world.github.repo.reviews.get(PR)!.push({ user: { login: 'dave' }, state: 'APPROVED', commit_id: world.head });
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });

  it("a CODEOWNERS the pull request itself adds (in .github/, which GitHub reads first) is not read: the base's is", async () => {
    const world = await mergeWorld(demo);
    await commitOnBase(world, { 'CODEOWNERS': 'deploy.yml @dave\n' });
    world.github.repo.protection.set('main', { reviews: { require_code_owner_reviews: true } });
    await world.other.git('fetch', '-q', 'origin', 'feature');
    await world.other.git('checkout', '-q', '-b', 'feature', 'FETCH_HEAD');
    const head = await world.other.commit({ message: 'own it', files: { '.github/CODEOWNERS': 'deploy.yml @bob\n', 'deploy.yml': 'replicas: 9\n' } });
    await world.other.git('push', '-q', 'origin', 'feature');
    world.pull.head.sha = head;
    world.github.repo.checkRuns.set(head, [{ name: 'test', status: 'completed', conclusion: 'success' }]);
    world.github.repo.reviews.set(PR, [{ user: { login: 'bob' }, state: 'APPROVED', commit_id: head }]);
    expect(failed(await mergeSign(world.options()))).toEqual(['code-owners']);
    // control: dave, the base's owner, approves the new head
    world.github.repo.permissions.set('dave', 'write');
    world.github.repo.reviews.get(PR)!.push({ user: { login: 'dave' }, state: 'APPROVED', commit_id: head });
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });

  it('a team owner counts through a member; a team membership the token cannot read refuses rather than guesses', async () => {
    const world = await mergeWorld(demo);
    await commitOnBase(world, { 'docs/CODEOWNERS': '*.yml @acme/ops\n' });
    world.github.repo.rules.set('main', [pullRequestRule({ require_code_owner_review: true })]);
    expect(failed(await mergeSign(world.options()))).toEqual(['code-owners']);
    world.github.repo.teams.set('acme/ops', ['bob']);
    // control: bob is in the owning team
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
    world.github.faults.set('membership', { status: 403, body: { message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest' }, times: 10 });
    const result = await mergeSign(world.options());
    expect([result.status, failed(result)]).toEqual(['refused', ['code-owners']]);
  });

  it('a CODEOWNERS GitHub would reject for its syntax refuses when code owner review is required', async () => {
    const world = await mergeWorld(demo);
    await commitOnBase(world, { '.github/CODEOWNERS': 'deploy.yml @bob\n[abc].yml @dave\n' });
    world.github.repo.protection.set('main', { reviews: { require_code_owner_reviews: true } });
    expect(failed(await mergeSign(world.options()))).toEqual(['code-owners']);
    // control: without the rule, CODEOWNERS is not consulted
    world.github.repo.protection.delete('main');
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });
});

describe("GitHub's test merge", () => {
  it('with stale reviews dismissed on push, a merge is pushed only when it equals GitHub\'s own test merge', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.rules.set('main', [pullRequestRule({ dismiss_stale_reviews_on_push: true })]);
    expect(failed(await mergeSign(world.options()))).toEqual(['github-merge']);
    // GitHub's test merge with other content than siggate's merge
    const other = (await world.remote.git('rev-parse', `${world.base}^{tree}`)).trim();
    await makeGitHubMerge(world, other);
    expect(failed(await mergeSign(world.options()))).toEqual(['github-merge']);
    // control: the same tree
    await makeGitHubMerge(world);
    expect((await mergeSign(world.options())).status).toBe('merged');
  });

  it('with last-push approval required, a test merge of an older base is refused as stale', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.protection.set('main', { reviews: { require_last_push_approval: true } });
    await makeGitHubMerge(world);
    await commitOnBase(world, { 'README': 'moved on\n' });
    expect(failed(await mergeSign(world.options()))).toEqual(['github-merge']);
    // control: GitHub recomputed its test merge
    await makeGitHubMerge(world);
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });
});

describe('approval of the last push', () => {
  it('the reviewer who pushed the head (its author or committer on GitHub) cannot be the approval it needs', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.rules.set('main', [pullRequestRule({ require_last_push_approval: true })]);
    await makeGitHubMerge(world);
    world.github.repo.commitUsers.set(world.head, { author: 'carol', committer: 'bob' });
    const result = await mergeSign(world.options());
    expect([result.status, failed(result)]).toEqual(['refused', ['approvals']]);
    // GitHub's own web-flow committer (the "Update branch" button) is nobody's push of their own
    world.github.repo.commitUsers.set(world.head, { author: 'carol', committer: 'web-flow' });
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
    // control: without the rule, bob's approval of a commit he committed counts
    world.github.repo.rules.delete('main');
    world.github.repo.commitUsers.set(world.head, { author: 'carol', committer: 'bob' });
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });
});

describe('rules no merge commit satisfies', () => {
  const cases: [string, (world: MergeWorld) => void][] = [
    ['a ruleset requiring linear history', (w) => w.github.repo.rules.set('main', [{ type: 'required_linear_history' }])],
    ['classic protection requiring linear history', (w) => w.github.repo.protection.set('main', { linearHistory: true })],
    ['a locked branch', (w) => w.github.repo.protection.set('main', { lockBranch: true })],
    ['a merge queue', (w) => w.github.repo.rules.set('main', [{ type: 'merge_queue', parameters: { check_response_timeout_minutes: 60, grouping_strategy: 'ALLGREEN', max_entries_to_build: 5, max_entries_to_merge: 5, merge_method: 'MERGE', min_entries_to_merge: 1, min_entries_to_merge_wait_minutes: 5 } }])],
    ['squash-only merges', (w) => w.github.repo.rules.set('main', [pullRequestRule({ allowed_merge_methods: ['squash', 'rebase'] })])],
  ];
  for (const [name, arrange] of cases) {
    it(`${name} is refused before anything is signed`, async () => {
      const world = await mergeWorld(demo);
      arrange(world);
      const result = await mergeSign(world.options());
      expect([result.status, failed(result), result.commit]).toEqual(['refused', ['rules'], null]);
    });
  }

  it('control: rules that allow a merge commit (merge among the methods, non-fast-forward) do not refuse', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.rules.set('main', [pullRequestRule({ allowed_merge_methods: ['merge', 'squash'] }), { type: 'non_fast_forward' }, { type: 'deletion' }]);
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });
});

describe('protection the token cannot read in full', () => {
  it("still enforces the required checks every reader sees, and says that GitHub's mergeable_state stands in for the rest", async () => {
    const world = await mergeWorld(demo);
    world.github.repo.protection.set('main', { contexts: ['security-scan'], reviews: { required_approving_review_count: 2 } });
    world.github.repo.protectionReadable = false;
    const result = await mergeSign(world.options());
    expect([result.status, failed(result)]).toEqual(['refused', ['ci']]);
    expect(result.checks.find((c) => c.name === 'rules')?.detail).toContain('Administration: read');
    // control: the scan ran; the review count GitHub enforces is left to mergeable_state (clean here)
    world.github.repo.statuses.set(world.head, [{ context: 'security-scan', state: 'success' }]);
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });
});

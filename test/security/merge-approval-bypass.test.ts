// Attacks on merge-sign's approval rule: getting an unreviewed change merged under someone else's signature.
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeSign } from '../../src/commands/merge-sign.js';
import { ISOLATED_GIT, mergeWorld } from '../helpers/merge-world.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let demo: DemoWorld;
beforeAll(async () => {
  Object.assign(process.env, ISOLATED_GIT);
  demo = await demoWorld();
});

describe('approval bypass', () => {
  it('pushing a new commit after approval: the approval of the old head does not carry over', async () => {
    const world = await mergeWorld(demo);
    await world.other.git('fetch', '-q', 'origin', 'feature');
    await world.other.git('checkout', '-q', '-b', 'feature', 'FETCH_HEAD');
    const sneaky = await world.other.commit({ message: 'also open the firewall', files: { 'fw.yml': 'allow: all\n' } });
    await world.other.git('push', '-q', 'origin', 'feature');
    world.pull.head.sha = sneaky;
    world.github.repo.checkRuns.set(sneaky, [{ name: 'test', status: 'completed', conclusion: 'success' }]);
    const result = await mergeSign(world.options());
    expect(result.status).toBe('refused');
    expect(result.checks.find((c) => c.name === 'approvals')).toMatchObject({ ok: false });
    expect(await world.remote.revParse('main')).toBe(world.base);
  });

  it('an approval followed by a request for changes from the same reviewer does not count', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.reviews.get(7)!.push({ user: { login: 'bob' }, state: 'CHANGES_REQUESTED', commit_id: world.head });
    expect((await mergeSign(world.options())).status).toBe('refused');
  });

  it('a dismissed approval does not count', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.reviews.set(7, [{ user: { login: 'bob' }, state: 'DISMISSED', commit_id: world.head }]);
    expect((await mergeSign(world.options())).status).toBe('refused');
  });

  it("the author's own approval does not count, even in another letter case", async () => {
    const world = await mergeWorld(demo);
    world.github.repo.reviews.set(7, [{ user: { login: 'CAROL' }, state: 'APPROVED', commit_id: world.head }]);
    const result = await mergeSign(world.options());
    expect(result.status).toBe('refused');
    expect(result.approvedBy).toEqual([]);
  });

  it('approvals from outside --approvers do not count, however many', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.reviews.set(
      7,
      ['sock1', 'sock2', 'sock3'].map((login) => ({ user: { login }, state: 'APPROVED' as const, commit_id: world.head })),
    );
    expect((await mergeSign(world.options({ approvers: ['bob'] }))).status).toBe('refused');
  });

  it('an approval on page two of the reviews still counts, and a later change request on page three cancels it', async () => {
    const world = await mergeWorld(demo);
    const comments = Array.from({ length: 120 }, (_, i) => ({ user: { login: `commenter${i}` }, state: 'COMMENTED' as const, commit_id: world.head }));
    world.github.repo.reviews.set(7, [...comments, { user: { login: 'bob' }, state: 'APPROVED', commit_id: world.head }]);
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
    world.github.repo.reviews.get(7)!.push(...comments, { user: { login: 'bob' }, state: 'CHANGES_REQUESTED', commit_id: world.head });
    expect((await mergeSign(world.options())).status).toBe('refused');
  });

  const failed = (result: { checks: { name: string; ok: boolean }[] }): string[] => result.checks.filter((c) => !c.ok).map((c) => c.name);

  it('an approval from someone without write access (any signed-in user on a public repository) does not count, whatever author_association says', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.permissions.set('bob', 'read');
    world.github.repo.reviews.set(7, [{ user: { login: 'bob' }, state: 'APPROVED', commit_id: world.head, author_association: 'COLLABORATOR' }]);
    const result = await mergeSign(world.options());
    expect([result.status, failed(result)]).toEqual(['refused', ['approvals']]);
    world.github.repo.permissions.set('bob', 'triage');
    expect((await mergeSign(world.options())).status).toBe('refused');
    // control: the same review from someone with write (or maintain, or admin) access counts
    for (const role of ['write', 'maintain', 'admin']) {
      world.github.repo.permissions.set('bob', role);
      expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
    }
    expect(await world.remote.revParse('main')).toBe(world.base);
  });

  it('a bot approval does not count, even from a bot with write access, unless --allow-bot-approvals', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.permissions.set('github-actions[bot]', 'write');
    world.github.repo.reviews.set(7, [{ user: { login: 'github-actions[bot]', type: 'Bot' }, state: 'APPROVED', commit_id: world.head }]);
    expect(failed(await mergeSign(world.options()))).toEqual(['approvals']);
    // control: the operator opts in
    expect((await mergeSign(world.options({ dryRun: true, allowBotApprovals: true }))).status).toBe('dry-run');
  });

  it("a writer's standing request for changes blocks the merge, however many others approve", async () => {
    const world = await mergeWorld(demo);
    world.github.repo.permissions.set('dave', 'write');
    world.github.repo.permissions.set('erin', 'write');
    world.github.repo.reviews.set(7, [
      { user: { login: 'dave' }, state: 'CHANGES_REQUESTED', commit_id: world.head },
      { user: { login: 'bob' }, state: 'APPROVED', commit_id: world.head },
      { user: { login: 'erin' }, state: 'APPROVED', commit_id: world.head },
      { user: { login: 'dave' }, state: 'COMMENTED', commit_id: world.head },
    ]);
    expect(failed(await mergeSign(world.options({ requiredApprovals: 2 })))).toEqual(['changes-requested']);
    // control: a request for changes from someone without write access does not block (as on GitHub)
    world.github.repo.permissions.set('dave', 'read');
    expect((await mergeSign(world.options({ dryRun: true, requiredApprovals: 2 }))).status).toBe('dry-run');
  });

  it("--required-approvals 1 does not lower the base branch's own rule (classic protection or a ruleset)", async () => {
    const world = await mergeWorld(demo);
    world.github.repo.protection.set('main', { reviews: { required_approving_review_count: 2 } });
    expect(failed(await mergeSign(world.options({ requiredApprovals: 1 })))).toEqual(['approvals']);
    world.github.repo.protection.delete('main');
    world.github.repo.rules.set('main', [{ type: 'pull_request', parameters: { required_approving_review_count: 2, dismiss_stale_reviews_on_push: false, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false } }]);
    expect(failed(await mergeSign(world.options({ requiredApprovals: 1 })))).toEqual(['approvals']);
    // control: a second writer approves
    world.github.repo.permissions.set('erin', 'write');
    world.github.repo.reviews.get(7)!.push({ user: { login: 'erin' }, state: 'APPROVED', commit_id: world.head });
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });

  it('a pull request GitHub reports blocked, behind, unstable or draft is refused before anything is signed, even when every check siggate can make passes', async () => {
    const world = await mergeWorld(demo);
    for (const state of ['blocked', 'behind', 'unstable', 'draft', 'unknown']) {
      world.pull.mergeable_state = state;
      const result = await mergeSign(world.options());
      expect([state, result.status, failed(result), result.commit]).toEqual([state, 'refused', ['mergeable'], null]);
    }
    // control: clean, and has_hooks (clean with pre-receive hooks)
    for (const state of ['clean', 'has_hooks']) {
      world.pull.mergeable_state = state;
      expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
    }
  });
});

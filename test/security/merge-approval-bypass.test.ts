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
});

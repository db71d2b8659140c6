// Attacks on merge-sign's CI rule: making a head look green to siggate while GitHub's merge button would wait.
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

const failed = (result: { checks: { name: string; ok: boolean }[] }): string[] => result.checks.filter((c) => !c.ok).map((c) => c.name);
const green = { status: 'completed' as const, conclusion: 'success' as const };

describe('CI bypass', () => {
  it('a commit status named like a check that protection pins to an app does not satisfy it (anyone with statuses:write can post one)', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.protection.set('main', { checks: [{ context: 'build', app_id: 15368 }] });
    world.github.repo.statuses.set(world.head, [{ context: 'build', state: 'success' }]);
    const result = await mergeSign(world.options());
    expect([result.status, failed(result)]).toEqual(['refused', ['ci']]);
    // control: the check run from the pinned app
    world.github.repo.checkRuns.get(world.head)!.push({ name: 'build', ...green });
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });

  it("a check run of the pinned name from another app does not satisfy a ruleset's integration_id", async () => {
    const world = await mergeWorld(demo);
    world.github.repo.rules.set('main', [{ type: 'required_status_checks', parameters: { strict_required_status_checks_policy: false, required_status_checks: [{ context: 'build', integration_id: 15368 }] } }]);
    world.github.repo.checkRuns.get(world.head)!.push({ name: 'build', ...green, app: { id: 666, slug: 'lookalike-ci' } });
    expect(failed(await mergeSign(world.options()))).toEqual(['ci']);
    // control: the pinned app's own run
    world.github.repo.checkRuns.get(world.head)!.push({ name: 'build', ...green });
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });

  it('a failing status hidden beyond the first 100 contexts of the combined status is seen', async () => {
    const world = await mergeWorld(demo);
    const statuses = Array.from({ length: 150 }, (_, i) => ({ context: `ci/${String(i).padStart(3, '0')}`, state: 'success' as const }));
    world.github.repo.statuses.set(world.head, statuses);
    // control: 150 green contexts over two pages
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
    expect(world.github.requests.some((r) => /\/status\?.*page=2/.test(r))).toBe(true);
    world.github.repo.statuses.get(world.head)!.push({ context: 'ci/149', state: 'failure' });
    const result = await mergeSign(world.options());
    expect([result.status, failed(result)]).toEqual(['refused', ['ci']]);
  });

  it('a required check that failed and was re-run green counts as the latest run; a red re-run after a green one refuses', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.checkRuns.set(world.head, [{ name: 'test', status: 'completed', conclusion: 'failure' }, { name: 'test', ...green }]);
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
    world.github.repo.checkRuns.get(world.head)!.push({ name: 'test', status: 'completed', conclusion: 'failure' });
    expect(failed(await mergeSign(world.options()))).toEqual(['ci']);
  });

  it('a head behind a base whose protection is strict is refused even when GitHub still says clean', async () => {
    const world = await mergeWorld(demo);
    world.github.repo.protection.set('main', { contexts: ['test'], strict: true });
    await world.other.commit({ message: 'meanwhile on main', files: { 'README': 'hello\n' }, sign: demo.as('alice') });
    await world.other.git('push', '-q', 'origin', 'HEAD:main');
    const result = await mergeSign(world.options());
    expect([result.status, failed(result), result.pushed]).toEqual(['refused', ['up-to-date'], false]);
    // control: not strict, the same head merges
    world.github.repo.protection.set('main', { contexts: ['test'], strict: false });
    expect((await mergeSign(world.options({ dryRun: true }))).status).toBe('dry-run');
  });
});

// Attacks on promotion: planting the environment tag first, forging the source tag, smuggling refspecs as names.
import { beforeAll, describe, expect, it } from 'vitest';
import { promote } from '../../src/commands/promote.js';
import { UsageError } from '../../src/core/errors.js';
import { ISOLATED_GIT } from '../helpers/merge-world.js';
import { promoteWorld, tagsOf } from '../helpers/promote-world.js';
import { demoWorld, rejection, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let demo: DemoWorld;
beforeAll(async () => {
  Object.assign(process.env, ISOLATED_GIT);
  demo = await demoWorld();
});

describe('promotion tag tampering', () => {
  it('a prod tag planted on an unverified commit on the remote is neither moved nor adopted', async () => {
    const world = await promoteWorld(demo);
    const evil = await world.clone.commit({ message: 'backdoor' });
    await world.clone.git('push', '-q', 'origin', `${evil}:refs/tags/prod-1.0.0`);
    await world.clone.git('reset', '-q', '--hard', world.tip);
    await world.clone.git('tag', '-d', 'prod-1.0.0').catch(() => '');
    const result = await promote({ repo: world.clone.dir, keys: [demo.keysDir], naming: { kind: 'tag', name: 'prod-1.0.0' }, push: 'origin' });
    expect(result.status).toBe('refused');
    expect(await tagsOf(world.remote)).toEqual([`prod-1.0.0 ${evil}`]);
    expect(await tagsOf(world.clone)).toEqual([]);
  });

  it('a planted prod tag on the target itself that is unsigned does not make --push skip verification of a new one', async () => {
    const world = await promoteWorld(demo);
    await world.clone.commit({ message: 'unsigned' });
    await world.clone.git('tag', 'prod-1.0.0');
    // the tag names the commit, so it is "already promoted" only where it already exists; pushing it needs the gate
    const result = await promote({ repo: world.clone.dir, keys: [demo.keysDir], naming: { kind: 'tag', name: 'prod-1.0.0' }, push: 'origin' });
    expect(result.status).toBe('refused');
    expect(result.verification?.ok).toBe(false);
    expect(await tagsOf(world.remote)).toEqual([]);
  });

  it('a source tag signed by a key that is not allowed does not qualify with --verify-source-tag', async () => {
    const world = await promoteWorld(demo);
    await world.clone.tag('staging-1.0.0', { sign: demo.as('mallory'), message: 'forged staging approval' });
    const result = await promote({
      repo: world.clone.dir,
      keys: [demo.keysDir],
      naming: { kind: 'prefix', from: 'staging-', to: 'prod-' },
      verifySourceTag: true,
    });
    expect(result.status).toBe('refused');
    expect(result.source?.status).toBe('unknown-key');
    expect((await tagsOf(world.clone)).map((t) => t.split(' ')[0])).toEqual(['staging-1.0.0']);
  });

  it.each(['prod:refs/heads/main', '-f', 'prod..1', 'refs/heads/main^{}', 'prod 1'])('the tag name %j is a usage error, nothing is created', async (name) => {
    const world = await promoteWorld(demo);
    const error = await rejection(promote({ repo: world.clone.dir, keys: [demo.keysDir], naming: { kind: 'tag', name }, push: 'origin' }));
    expect(error).toBeInstanceOf(UsageError);
    expect(await tagsOf(world.remote)).toEqual([]);
    expect(await world.remote.revParse('main')).toBe(world.tip);
  });
});

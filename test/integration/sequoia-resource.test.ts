// The Concourse resource with `source.policy: sequoia`: check yields only versions with an authenticated
// path from the trust root, in checks out only those, out pushes only those, keys in the source are refused.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { sequoiaWorld, type SequoiaWorld } from '../helpers/sequoia-world.js';
import { resourceHarness, type ResourceHarness } from '../helpers/resource.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let s: SequoiaWorld;
let harness: ResourceHarness;
let good: string;
let evil: string;

const sourceFor = (branch: string, extra: Record<string, unknown> = {}) => ({ uri: s.repo.dir, branch, policy: 'sequoia', trust_root: s.c['R'], ...extra });

beforeAll(async () => {
  s = await sequoiaWorld();
  harness = await resourceHarness();
  good = await s.commit('bob', {}, [s.c['R']!]);
  evil = await s.commit('mallory', {}, [good]);
  await s.repo.setRef('refs/heads/good', good);
  await s.repo.setRef('refs/heads/evil', evil);
});

describe('resource with source.policy sequoia', () => {
  it('check yields a version the policy authenticates, and in checks it out', async () => {
    const check = await harness.run('check', { source: sourceFor('good') });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual([{ ref: good }]);
    const dest = join(await makeTempDir('siggate-sequoia-in-'), 'dest');
    const got = await harness.run('in', { source: sourceFor('good'), version: { ref: good } }, [dest]);
    expect(got.code).toBe(0);
    expect(existsSync(join(dest, 'openpgp-policy.toml'))).toBe(true);
  });

  it('check yields nothing for a commit the policy does not authenticate, and in refuses it', async () => {
    const check = await harness.run('check', { source: sourceFor('evil') });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual([]);
    const dest = join(await makeTempDir('siggate-sequoia-in-'), 'dest');
    expect((await harness.run('in', { source: sourceFor('evil'), version: { ref: evil } }, [dest])).code).toBe(1);
  });

  it('out pushes a commit the policy authenticates and refuses one it does not', async () => {
    await s.repo.setRef('refs/heads/pushed', good);
    const dest = join(await makeTempDir('siggate-sequoia-out-'), 'dest');
    expect((await harness.run('in', { source: sourceFor('pushed'), version: { ref: good } }, [dest])).code).toBe(0);
    const work = await Repo.init({ dir: dest });
    const next = await work.commit({ message: 'by alice\n', sign: s.world.as('alice') });
    expect((await harness.run('out', { source: sourceFor('pushed'), params: { repository: dest } }, [join(dest, '..')])).code).toBe(0);
    expect(await s.repo.revParse('refs/heads/pushed')).toBe(next);
    await work.commit({ message: 'by mallory\n', sign: s.world.as('mallory') });
    expect((await harness.run('out', { source: sourceFor('pushed'), params: { repository: dest } }, [join(dest, '..')])).code).toBe(1);
    expect(await s.repo.revParse('refs/heads/pushed')).toBe(next);
  });

  it('keys in the source, a trust root by name, and out with rebase are refused (exit 2)', async () => {
    expect((await harness.run('check', { source: sourceFor('good', { commit_verification_keys: ['x'] }) })).code).toBe(2);
    expect((await harness.run('check', { source: sourceFor('good', { trust_root: 'good' }) })).code).toBe(2);
    const rebase = await harness.run('out', { source: sourceFor('good'), params: { repository: '.', rebase: true } }, [await makeTempDir('siggate-sequoia-out-')]);
    expect(rebase.code).toBe(2);
  });
});

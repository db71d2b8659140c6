// The Concourse resource with `source.policy: guix`: check yields only versions the channel's policy
// authenticates, in fetches and checks out only those, and keys given in the source are refused.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { guixWorld, type GuixWorld } from '../helpers/guix-world.js';
import { resourceHarness, type ResourceHarness } from '../helpers/resource.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let g: GuixWorld;
let harness: ResourceHarness;
let evil: string;

const sourceFor = (branch: string, extra: Record<string, unknown> = {}) => ({ uri: g.repo.dir, branch, policy: 'guix', intro: g.c['I'], intro_signer: g.introSigner, ...extra });

beforeAll(async () => {
  g = await guixWorld();
  harness = await resourceHarness();
  await g.repo.setRef('refs/heads/good', g.c['A']!);
  evil = await g.repo.commit({ message: 'by mallory\n', parents: [g.c['A']!], update: false, sign: g.world.as('mallory') });
  await g.repo.setRef('refs/heads/evil', evil);
});

describe('resource with source.policy guix', () => {
  it('check yields a version the channel authenticates, and in checks it out', async () => {
    const check = await harness.run('check', { source: sourceFor('good') });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual([{ ref: g.c['A'] }]);
    const dest = join(await makeTempDir('siggate-guix-in-'), 'dest');
    const got = await harness.run('in', { source: sourceFor('good'), version: { ref: g.c['A'] } }, [dest]);
    expect(got.code).toBe(0);
    expect(existsSync(join(dest, '.guix-authorizations'))).toBe(true);
  });

  it('check yields nothing for a commit the channel does not authorize, and in refuses it', async () => {
    const check = await harness.run('check', { source: sourceFor('evil') });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual([]);
    const dest = join(await makeTempDir('siggate-guix-in-'), 'dest');
    const got = await harness.run('in', { source: sourceFor('evil'), version: { ref: evil } }, [dest]);
    expect(got.code).toBe(1);
  });

  it('out pushes a commit the channel authorizes and refuses one it does not', async () => {
    await g.repo.setRef('refs/heads/pushed', g.c['A']!);
    const dest = join(await makeTempDir('siggate-guix-out-'), 'dest');
    expect((await harness.run('in', { source: sourceFor('pushed'), version: { ref: g.c['A'] } }, [dest])).code).toBe(0);
    const work = await Repo.init({ dir: dest });
    const good = await work.commit({ message: 'by bob\n', sign: g.world.as('bob') });
    const pushed = await harness.run('out', { source: sourceFor('pushed'), params: { repository: dest } }, [join(dest, '..')]);
    expect(pushed.code).toBe(0);
    expect(await g.repo.revParse('refs/heads/pushed')).toBe(good);
    await work.commit({ message: 'by mallory\n', sign: g.world.as('mallory') });
    const refused = await harness.run('out', { source: sourceFor('pushed'), params: { repository: dest } }, [join(dest, '..')]);
    expect(refused.code).toBe(1);
    expect(await g.repo.revParse('refs/heads/pushed')).toBe(good);
  });

  it("keys in the source, and out's rebase or merge, are refused with policy guix (exit 2)", async () => {
    const check = await harness.run('check', { source: sourceFor('good', { commit_verification_keys: ['x'] }) });
    expect(check.code).toBe(2);
    const noSigner = await harness.run('check', { source: { uri: g.repo.dir, branch: 'good', policy: 'guix', intro: g.c['I'] } });
    expect(noSigner.code).toBe(2);
    const rebase = await harness.run('out', { source: sourceFor('good'), params: { repository: '.', rebase: true } }, [await makeTempDir('siggate-guix-out-')]);
    expect(rebase.code).toBe(2);
  });
});

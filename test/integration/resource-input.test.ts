// Mistakes in the request (a NUL byte, an absurd length, a branch git would refuse, a directory that is
// not there) are configuration errors: exit 2 with a short message, never exit 3 from a failed spawn.
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { resourceHarness, type ResourceHarness, type ScriptOutcome } from '../helpers/resource.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

const HUGE = 'a'.repeat(200_000);
let harness: ResourceHarness;
let world: DemoWorld;
let keys: string[];
let uri: string;

beforeAll(async () => {
  world = await demoWorld();
  harness = await resourceHarness();
  keys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8')];
  const work = await Repo.init();
  const bare = await Repo.init({ bare: true });
  await work.commit({ message: 'signed\n', sign: world.as('alice') });
  await work.git('push', '--quiet', bare.dir, 'main');
  uri = `file://${bare.dir}`;
});

const source = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ uri, branch: 'main', commit_verification_keys: keys, ...extra });

function expectConfigError(outcome: ScriptOutcome): void {
  expect(outcome.code).toBe(2);
  expect(outcome.stdout).toBe('');
  // the value is never echoed whole
  expect(outcome.stderr.length).toBeLessThan(1_000);
}

describe('source fields', () => {
  it('a 200 kB or NUL-carrying branch is exit 2 (it was spawn E2BIG, exit 3)', async () => {
    expectConfigError(await harness.run('check', { source: source({ branch: HUGE }) }));
    expectConfigError(await harness.run('check', { source: source({ branch: 'ma\0in' }) }));
  });

  it.each(['a..b', '-main', 'HEAD', 'a b', 'x/', '/x', 'a//b', '.hidden', 'x.lock', 'a@{1}', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', 'x.', `${'a'.repeat(256)}/b`])(
    'branch %j, which git check-ref-format --branch refuses, is exit 2',
    async (branch) => {
      expectConfigError(await harness.run('check', { source: source({ branch }) }));
    },
  );

  it('branch names git accepts are accepted', async () => {
    for (const branch of ['main', 'release/1.x', 'feature/ü', '@', 'a.b-c_d']) {
      const outcome = await harness.run('check', { source: source({ branch }) });
      // the remote has only main: a missing branch is a usage error naming it, not a validation failure
      if (branch === 'main') expect(outcome.code).toBe(0);
      else expect(outcome.stderr).toContain('not found on the remote');
    }
  });

  it('a 200 kB or NUL-carrying uri, trust_root, tag_filter, username or password is exit 2', async () => {
    for (const [key, value] of [['uri', `file://${HUGE}`], ['trust_root', HUGE], ['tag_filter', HUGE], ['username', HUGE], ['password', HUGE], ['uri', `${uri}\0`], ['trust_root', 'v1\0'], ['password', 'pw\0']] as const) {
      expectConfigError(await harness.run('check', { source: source({ [key]: value }) }));
    }
  });

  it('a 200 kB or NUL-carrying version is exit 2', async () => {
    const dest = await makeTempDir('siggate-dest-');
    expectConfigError(await harness.run('in', { source: source(), version: { ref: HUGE } }, [dest]));
    expectConfigError(await harness.run('in', { source: source(), version: { ref: 'v1\0' } }, [dest]));
  });
});

describe('out params', () => {
  it('a params.repository that does not exist is exit 2 (it was spawn git ENOENT, exit 3)', async () => {
    const src = await makeTempDir('siggate-src-');
    expectConfigError(await harness.run('out', { source: source(), params: { repository: 'no-such-dir', branch: 'main' } }, [src]));
    expectConfigError(await harness.run('out', { source: source(), params: { repository: HUGE, branch: 'main' } }, [src]));
  });

  it('a params.branch git would refuse, or a 200 kB tag_prefix, is exit 2', async () => {
    const repo = await Repo.init();
    await repo.commit({ message: 'x\n', sign: world.as('alice') });
    const [parent, repository] = [dirname(repo.dir), basename(repo.dir)];
    for (const params of [{ branch: 'a..b' }, { branch: HUGE }, { tag: 'tagfile', tag_prefix: HUGE }]) {
      const outcome = await harness.run('out', { source: source(), params: { repository, ...params } }, [parent]);
      expectConfigError(outcome);
      expect(outcome.stderr).toMatch(/params\.(branch|tag_prefix)/);
    }
  });
});

// A shallow boundary hides parents: a range that reaches it must fail closed, never end quietly there.
//
//   Z ── R ── U ── A ── T     U unsigned, every other commit signed; a clone of depth 2 holds A and T only
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyRange, type VerifyRangeOptions } from '../../src/index.js';
import { demoWorld, expectSiggateError, READERS, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let full: Repo;
let shallowDir: string;
const c: Record<'Z' | 'R' | 'U' | 'A' | 'T', string> = { Z: '', R: '', U: '', A: '', T: '' };

beforeAll(async () => {
  world = await demoWorld();
  full = await Repo.init();
  c.Z = await full.commit({ message: 'Z\n', sign: world.as('alice') });
  c.R = await full.commit({ message: 'R deployed\n', sign: world.as('alice') });
  c.U = await full.commit({ message: 'U unsigned\n', sign: null });
  c.A = await full.commit({ message: 'A\n', sign: world.as('bob') });
  c.T = await full.commit({ message: 'T\n', sign: world.as('alice') });
  shallowDir = join(await makeTempDir('siggate-shallow-'), 'clone');
  await full.git('clone', '--quiet', '--depth', '2', '--no-local', `file://${full.dir}`, shallowDir);
});

describe.each(READERS)('a shallow boundary with the %s reader', (reader) => {
  const range = (repo: string, options: Partial<VerifyRangeOptions>) =>
    verifyRange({ repo, keys: [world.keysDir], target: c.T, reader, ...options });

  it('a trust root below the boundary is an unknown revision (exit 2), not a pass', async () => {
    await expectSiggateError(range(shallowDir, { since: c.R }), { exitCode: 2, code: 'REPOSITORY' });
  });

  it.each(['first-parent', 'all'] as const)('a %s walk that reaches the boundary stops with exit 2', async (mode) => {
    await expectSiggateError(range(shallowDir, { mode }), { exitCode: 2, code: 'REPOSITORY' });
  });

  it('a range above the boundary passes (control)', async () => {
    const report = await range(shallowDir, { since: c.A, mode: 'all' });
    expect(report).toMatchObject({ ok: true, status: 'passed', checked: 1 });
  });

  it('a forged shallow file that cuts U from its parents closes the gate, whatever the reader makes of it', async () => {
    const shallowFile = join(full.gitDir, 'shallow');
    await writeFile(shallowFile, `${c.U}\n`);
    try {
      for (const mode of ['first-parent', 'all'] as const) {
        const report = await range(full.dir, { since: c.R, mode });
        expect(report.ok).toBe(false);
        // git honours the file (R no longer an ancestor of T); the isomorphic reader reads U's parents from U
        expect(['not-descendant', 'failed']).toContain(report.status);
        if (report.status === 'failed') expect(report.commits.find((commit) => commit.oid === c.U)?.status).toBe('unsigned');
      }
    } finally {
      await rm(shallowFile, { force: true });
    }
  });

  it('the full repository without the shallow file fails on U (control)', async () => {
    const report = await range(full.dir, { since: c.R, mode: 'first-parent' });
    expect(report).toMatchObject({ ok: false, status: 'failed' });
    expect(report.commits.find((commit) => commit.oid === c.U)?.status).toBe('unsigned');
  });
});

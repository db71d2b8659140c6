// A trust root named by a tag that whoever controls the remote can move onto their own commit.
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange, type VerifyRangeOptions } from '../../src/index.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
let deployed: string;
let evil: string;
let tip: string;

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  deployed = await repo.commit({ message: 'deployed\n', sign: world.as('alice') });
  evil = await repo.commit({ message: 'backdoor\n', sign: null });
  tip = await repo.commit({ message: 'innocent-looking fix\n', sign: world.as('bob') });
  // the attacker moved the deploy tags onto their unsigned commit
  await repo.tag('deploy-light', { lightweight: true, target: evil });
  await repo.tag('deploy-unsigned', { target: evil });
  await repo.tag('deploy-forged', { sign: world.as('mallory'), target: evil });
});

const range = (since: string): Promise<Awaited<ReturnType<typeof verifyRange>>> =>
  verifyRange({ repo: repo.dir, keys: [world.keysDir], target: tip, since, mode: 'all' } satisfies VerifyRangeOptions);

describe('movable trust roots', () => {
  it('a trust root given as a commit id catches the unsigned commit', async () => {
    const report = await range(deployed);
    expect(report.ok).toBe(false);
    expect(report.commits.find((c) => c.oid === evil)?.status).toBe('unsigned');
    expect(report.warnings).toEqual([]);
  });

  it('a moved lightweight or unsigned annotated tag hides it, and siggate warns that the tag can be moved', async () => {
    for (const since of ['deploy-light', 'deploy-unsigned']) {
      const report = await range(since);
      expect(report.since).toBe(evil);
      expect(report.warnings.join('\n')).toMatch(/can move it/);
    }
  });

  it('a moved tag signed by a key that is not allowed closes the gate (untrusted-root)', async () => {
    const report = await range('deploy-forged');
    expect(report.ok).toBe(false);
    expect(report.status).toBe('untrusted-root');
  });
});

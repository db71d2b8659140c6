// Unsigned commits smuggled in on the second parent of a signed merge.
//
//   R ── M          M: merge signed by bob (first parent R)
//    \  /
//     U1 ─ U2       U1 unsigned, U2 signed by mallory (unknown)
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange } from '../../src/index.js';
import { demoWorld, READERS, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
const c: Record<string, string> = {};

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  c['R'] = await repo.commit({ message: 'R\n', sign: world.as('alice') });
  await repo.checkout('contributor', { create: true });
  c['U1'] = await repo.commit({ message: 'U1 unsigned\n' });
  c['U2'] = await repo.commit({ message: 'U2 by mallory\n', sign: world.as('mallory') });
  await repo.checkout('main');
  c['M'] = await repo.merge('contributor', { sign: world.as('bob') });
  await repo.checkout('unsigned-merge', { create: true, startPoint: c['R'] });
  await repo.checkout('clean', { create: true, startPoint: c['R'] });
  c['S'] = await repo.commit({ message: 'signed side\n', sign: world.as('alice') });
  await repo.checkout('unsigned-merge');
  c['UM'] = await repo.merge('clean', { sign: null });
});

describe.each(READERS)('unsigned commits under a signed merge with the %s reader', (reader) => {
  const range = (target: string, mode: 'first-parent' | 'all') =>
    verifyRange({ repo: repo.dir, keys: [world.keysDir], target, since: c['R'] ?? '', mode, reader });

  it('first-parent passes: the signed merge vouches for what it brings in', async () => {
    const report = await range(c['M'] ?? '', 'first-parent');
    expect(report.ok).toBe(true);
    expect(report.commits.map((x) => x.oid)).toEqual([c['M']]);
  });

  it('all fails on the unsigned and unknown-key commits under the merge', async () => {
    const report = await range(c['M'] ?? '', 'all');
    expect(report.ok).toBe(false);
    expect(report.failed).toBe(2);
    const byOid = new Map(report.commits.map((x) => [x.oid, x.status]));
    expect(byOid.get(c['U1'] ?? '')).toBe('unsigned');
    expect(byOid.get(c['U2'] ?? '')).toBe('unknown-key');
    expect(byOid.get(c['M'] ?? '')).toBe('valid');
  });

  it('an unsigned merge of signed commits fails first-parent', async () => {
    const report = await range(c['UM'] ?? '', 'first-parent');
    expect(report.ok).toBe(false);
    expect(report.commits.find((x) => x.oid === c['UM'])?.status).toBe('unsigned');
  });
});

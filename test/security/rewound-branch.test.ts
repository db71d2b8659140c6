// A branch rolled back or rewritten behind the last trusted (deployed) commit.
//
//   R ── C1 ── C2          C2 deployed (trust root)
//         \
//          X1              rewritten history, signed by alice;  Y1 unsigned rewrite
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
  c['C1'] = await repo.commit({ message: 'C1 (vulnerable)\n', sign: world.as('alice') });
  c['C2'] = await repo.commit({ message: 'C2 (security fix)\n', sign: world.as('alice') });
  await repo.tag('deployed', { sign: world.as('alice'), target: c['C2'] });
  c['X1'] = await repo.commit({ message: 'X1 rewritten\n', parents: [c['C1'] ?? ''], sign: world.as('alice') });
  c['Y1'] = await repo.commit({ message: 'Y1 rewritten, unsigned\n', parents: [c['C1'] ?? ''] });
});

describe.each(READERS)('rewound branches with the %s reader', (reader) => {
  const range = (target: string, since: string, allowRewind = false) =>
    verifyRange({ repo: repo.dir, keys: [world.keysDir], target, since, reader, allowRewind });

  it('rolling back to an ancestor of the trust root is not-descendant', async () => {
    const report = await range(c['C1'] ?? '', c['C2'] ?? '');
    expect(report).toMatchObject({ ok: false, status: 'not-descendant' });
  });

  it('rolling back behind a trust root given as a signed tag is not-descendant', async () => {
    const report = await range(c['C1'] ?? '', 'deployed');
    expect(report).toMatchObject({ ok: false, status: 'not-descendant' });
  });

  it('a rewritten history, validly signed, is still not-descendant', async () => {
    const report = await range(c['X1'] ?? '', c['C2'] ?? '');
    expect(report).toMatchObject({ ok: false, status: 'not-descendant' });
  });

  it('allowRewind accepts a validly signed rollback', async () => {
    expect((await range(c['C1'] ?? '', c['C2'] ?? '', true)).ok).toBe(true);
    expect((await range(c['X1'] ?? '', c['C2'] ?? '', true)).ok).toBe(true);
  });

  it('allowRewind still requires signatures on the rewritten commits', async () => {
    const report = await range(c['Y1'] ?? '', c['C2'] ?? '', true);
    expect(report.ok).toBe(false);
    expect(report.commits.find((x) => x.oid === c['Y1'])?.status).toBe('unsigned');
  });

  it('moving forward from the trust root passes (control)', async () => {
    const report = await range(c['C2'] ?? '', c['C1'] ?? '');
    expect(report).toMatchObject({ ok: true, status: 'passed' });
  });
});

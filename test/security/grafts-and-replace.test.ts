// Rewriting what git thinks the history is without touching a single object: `.git/info/grafts` and
// `refs/replace/*`. Plain git honours both (rev-list, merge-base, cat-file, checkout); siggate must not.
//
//   Z ── R                 R: the trust root (deployed), by alice
//    \    \
//     U ── T               U unsigned (the attacker's), T = merge [U, R] by bob: U is on T's first-parent chain
//    \    /
//     U2 ─ T2              the same shape with U2 signed by alice: the legitimate control
//   S                      a commit by alice on Z, never on a branch: what `git replace U S` shows instead of U
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { git } from '../../src/git/run-git.js';
import { verifyRange, type RangeMode, type RangeReport, type ReaderKind } from '../../src/index.js';
import { demoWorld, READERS, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
const c: Record<'Z' | 'R' | 'U' | 'T' | 'U2' | 'T2' | 'S', string> = { Z: '', R: '', U: '', T: '', U2: '', T2: '', S: '' };

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  c.Z = await repo.commit({ message: 'Z\n', sign: world.as('alice') });
  c.R = await repo.commit({ message: 'R deployed\n', sign: world.as('alice') });
  c.U = await repo.commit({ message: 'U backdoor\n', parents: [c.Z], sign: null, update: false });
  c.U2 = await repo.commit({ message: 'U2 reviewed\n', parents: [c.Z], sign: world.as('alice'), update: false });
  c.S = await repo.commit({ message: 'S innocent\n', parents: [c.Z], sign: world.as('alice'), update: false });
  c.T2 = await repo.commit({ message: 'T2 merge\n', parents: [c.U2, c.R], sign: world.as('bob'), update: false });
  c.T = await repo.commit({ message: 'T merge\n', parents: [c.U, c.R], sign: world.as('bob') });
});

/** The three ways to make git see U as something it is not, and how each is put in place and removed. */
const OVERRIDES = {
  'a graft file makes U a parent of the trust root': {
    apply: () => writeFile(join(repo.gitDir, 'info', 'grafts'), `${c.R} ${c.Z} ${c.U}\n`),
    remove: () => rm(join(repo.gitDir, 'info', 'grafts'), { force: true }),
    warning: /grafts/,
  },
  'a replace ref gives the trust root U as a parent': {
    apply: () => repo.git('replace', '-f', '--graft', c.R, c.Z, c.U),
    remove: () => repo.git('replace', '-d', c.R),
    warning: /refs\/replace/,
  },
  'a replace ref shows the signed S in place of the unsigned U': {
    apply: () => repo.git('replace', '-f', c.U, c.S),
    remove: () => repo.git('replace', '-d', c.U),
    warning: /refs\/replace/,
  },
} as const;

type OverrideName = keyof typeof OVERRIDES;

async function withOverride<T>(name: OverrideName, body: () => Promise<T>): Promise<T> {
  await OVERRIDES[name].apply();
  try {
    return await body();
  } finally {
    await OVERRIDES[name].remove();
  }
}

const range = (reader: ReaderKind, mode: RangeMode, target = c.T): Promise<RangeReport> =>
  verifyRange({ repo: repo.dir, keys: [world.keysDir], target, since: c.R, mode, reader });

describe('the overrides are real: plain git honours them (control)', () => {
  it('git rev-list lists U among the trust root ancestors with the graft file or the replace ref', async () => {
    for (const name of ['a graft file makes U a parent of the trust root', 'a replace ref gives the trust root U as a parent'] as const) {
      expect((await withOverride(name, () => repo.git('rev-list', c.R))).split('\n'), name).toContain(c.U);
    }
    expect((await repo.git('rev-list', c.R)).split('\n')).not.toContain(c.U);
  });

  it('git cat-file shows the signed S for U under the replace ref', async () => {
    const shown = await withOverride('a replace ref shows the signed S in place of the unsigned U', () => repo.git('cat-file', 'commit', c.U));
    expect(shown).toContain('gpgsig ');
    expect(shown).toContain('S innocent');
  });
});

describe('every git siggate runs', () => {
  it('ignores the graft file and replace refs even under an environment a library caller built', async () => {
    const callerEnv = { ...process.env, GIT_GRAFT_FILE: join(repo.gitDir, 'info', 'grafts') };
    for (const name of ['a graft file makes U a parent of the trust root', 'a replace ref gives the trust root U as a parent'] as const) {
      const listed = await withOverride(name, () => git(['rev-list', c.R], repo.dir, { env: callerEnv }));
      expect(listed.trim().split('\n'), name).toEqual([c.R, c.Z]);
    }
  });
});

describe.each(READERS)('grafts and replace refs with the %s reader', (reader) => {
  describe.each(['first-parent', 'all'] as const)('mode %s', (mode) => {
    it('without any override, the unsigned U closes the gate (control)', async () => {
      const report = await range(reader, mode);
      expect(report).toMatchObject({ ok: false, status: 'failed' });
      expect(report.commits.find((commit) => commit.oid === c.U)?.status).toBe('unsigned');
      expect(report.warnings).toEqual([]);
    });

    it.each(Object.keys(OVERRIDES) as OverrideName[])('%s: U is still checked and still unsigned, with a warning', async (name) => {
      const report = await withOverride(name, () => range(reader, mode));
      expect(report).toMatchObject({ ok: false, status: 'failed', since: c.R });
      expect(report.commits.find((commit) => commit.oid === c.U)?.status).toBe('unsigned');
      expect(report.warnings.join('\n')).toMatch(OVERRIDES[name].warning);
    });

    it.each(Object.keys(OVERRIDES) as OverrideName[])('%s: a signed history beside it still passes (control)', async (name) => {
      const report = await withOverride(name, () => range(reader, mode, c.T2));
      expect(report).toMatchObject({ ok: true, status: 'passed' });
      expect(report.commits.map((commit) => commit.oid).sort()).toEqual([c.T2, c.U2].sort());
    });
  });

  it('a replace ref on the target itself: tip mode reads the unsigned original', async () => {
    const report = await withOverride('a replace ref shows the signed S in place of the unsigned U', () =>
      verifyRange({ repo: repo.dir, keys: [world.keysDir], target: c.U, mode: 'tip', reader }),
    );
    expect(report).toMatchObject({ ok: false, status: 'failed' });
    expect(report.commits.map((commit) => [commit.oid, commit.status])).toEqual([[c.U, 'unsigned']]);
    expect(report.warnings.join('\n')).toMatch(/refs\/replace/);
  });

  it('the replacement S itself is validly signed: reading it instead of U would have passed (control)', async () => {
    const report = await verifyRange({ repo: repo.dir, keys: [world.keysDir], target: c.S, mode: 'tip', reader });
    expect(report).toMatchObject({ ok: true, status: 'passed' });
  });
});

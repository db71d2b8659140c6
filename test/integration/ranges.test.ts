// Which commits each mode checks, and trust roots given as commits or signed tags.
//
//   R ── A ── M ── D        main (first parent); R, A, D by alice, M (merge) by bob
//         \   /
//          F1 ─ F2          feature: F1 unsigned, F2 by alice
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange } from '../../src/index.js';
import type { VerifyRangeOptions } from '../../src/index.js';
import { demoWorld, READERS, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
const c: Record<'R' | 'A' | 'F1' | 'F2' | 'M' | 'D', string> = { R: '', A: '', F1: '', F2: '', M: '', D: '' };

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  c.R = await repo.commit({ message: 'R\n', sign: world.as('alice') });
  c.A = await repo.commit({ message: 'A\n', sign: world.as('alice') });
  await repo.tag('deployed', { sign: world.as('alice'), target: c.A });
  await repo.tag('deployed-unknown', { sign: world.as('mallory'), target: c.A });
  await repo.checkout('feature', { create: true });
  c.F1 = await repo.commit({ message: 'F1\n' });
  c.F2 = await repo.commit({ message: 'F2\n', sign: world.as('alice') });
  await repo.checkout('main');
  c.M = await repo.merge('feature', { sign: world.as('bob') });
  c.D = await repo.commit({ message: 'D\n', sign: world.as('alice') });
});

describe.each(READERS)('range selection with the %s reader', (reader) => {
  const range = (options: Partial<VerifyRangeOptions>) =>
    verifyRange({ repo: repo.dir, keys: [world.keysDir], target: c.D, reader, ...options });
  const checked = (oids: readonly string[]) => [...oids].sort();

  it('tip checks only the target', async () => {
    const report = await range({ mode: 'tip' });
    expect(report.commits.map((x) => x.oid)).toEqual([c.D]);
    expect(report).toMatchObject({ ok: true, checked: 1, mode: 'tip' });
  });

  it('defaults to tip without a trust root', async () => {
    const report = await range({});
    expect(report.mode).toBe('tip');
    expect(report.checked).toBe(1);
  });

  it('first-parent from a trust root checks the first-parent chain, exclusive of the root', async () => {
    const report = await range({ since: c.R, mode: 'first-parent' });
    expect(checked(report.commits.map((x) => x.oid))).toEqual(checked([c.A, c.M, c.D]));
    expect(report).toMatchObject({ ok: true, status: 'passed', since: c.R, checked: 3, failed: 0 });
  });

  it('defaults to first-parent with a trust root', async () => {
    const report = await range({ since: c.R });
    expect(report.mode).toBe('first-parent');
    expect(checked(report.commits.map((x) => x.oid))).toEqual(checked([c.A, c.M, c.D]));
  });

  it('all checks every commit reachable from the target and not from the root', async () => {
    const report = await range({ since: c.R, mode: 'all' });
    expect(checked(report.commits.map((x) => x.oid))).toEqual(checked([c.A, c.F1, c.F2, c.M, c.D]));
    expect(report).toMatchObject({ ok: false, status: 'failed', checked: 5, failed: 1 });
    expect(report.commits.find((x) => x.oid === c.F1)?.status).toBe('unsigned');
  });

  it('all without a trust root checks the whole history', async () => {
    const report = await range({ mode: 'all' });
    expect(checked(report.commits.map((x) => x.oid))).toEqual(checked(Object.values(c)));
    expect(report.ok).toBe(false);
  });

  it('first-parent without a trust root walks back to the first commit', async () => {
    const report = await range({ mode: 'first-parent' });
    expect(checked(report.commits.map((x) => x.oid))).toEqual(checked([c.R, c.A, c.M, c.D]));
    expect(report.ok).toBe(true);
  });

  it('a trust root equal to the target checks nothing and passes', async () => {
    const report = await range({ since: c.D });
    expect(report).toMatchObject({ ok: true, checked: 0, failed: 0 });
  });

  it('accepts a trust root given as a commit further up', async () => {
    const report = await range({ since: c.A });
    expect(checked(report.commits.map((x) => x.oid))).toEqual(checked([c.M, c.D]));
    expect(report.since).toBe(c.A);
  });

  it('accepts a validly signed annotated tag as trust root and reports its commit', async () => {
    const report = await range({ since: 'deployed' });
    expect(report).toMatchObject({ ok: true, status: 'passed', since: c.A });
    expect(checked(report.commits.map((x) => x.oid))).toEqual(checked([c.M, c.D]));
  });

  it('refuses a trust root tag signed by an unknown key', async () => {
    const report = await range({ since: 'deployed-unknown' });
    expect(report.ok).toBe(false);
    expect(report.status).toBe('untrusted-root');
  });

  it('a range passes only when every required commit is valid', async () => {
    const report = await range({ since: c.A, target: c.F2, mode: 'all' });
    expect(report.ok).toBe(false);
    expect(report.failed).toBe(1);
  });
});

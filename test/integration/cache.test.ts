// The verification cache: reused only under an identical policy, never trusted when tampered with.
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange, type RangeReport, type VerifyRangeOptions } from '../../src/index.js';
import { demoWorld, makeKeysDir, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;

beforeAll(async () => {
  world = await demoWorld();
});

async function history(): Promise<{ repo: Repo; base: string; tip: string }> {
  const repo = await Repo.init();
  const base = await repo.commit({ message: 'alice 1\n', sign: world.as('alice') });
  await repo.commit({ message: 'bob 1\n', sign: world.as('bob') });
  const tip = await repo.commit({ message: 'alice 2\n', sign: world.as('alice') });
  return { repo, base, tip };
}

async function cacheFiles(repo: Repo): Promise<string[]> {
  const dir = join(repo.dir, '.git', 'siggate');
  return (await readdir(dir).catch(() => [])).map((name) => join(dir, name));
}

/** Each commit's JSON without its `cached` mark, keys in their order: what a full run prints. */
function uncachedJson(report: RangeReport): string[] {
  return report.commits.map(({ cached: _cached, ...commit }) => JSON.stringify(commit));
}

/**
 * A run served from the cache prints what a full run prints, field by field and in the same order, except
 * the `cached` marks, `reused` and the warnings; the marks are exactly on `cachedOids`.
 */
async function expectSameAsFullRun(cachedRun: RangeReport, options: VerifyRangeOptions, cachedOids: readonly string[]): Promise<void> {
  const full = await verifyRange({ ...options, cache: false });
  expect(full.commits.some((c) => c.cached)).toBe(false);
  const { commits: _a, reused: _b, warnings: _c, ...cachedRest } = cachedRun;
  const { commits: _d, reused: _e, warnings: _f, ...fullRest } = full;
  expect(JSON.stringify(cachedRest)).toBe(JSON.stringify(fullRest));
  expect(uncachedJson(cachedRun)).toEqual(uncachedJson(full));
  expect(cachedRun.commits.filter((c) => c.cached).map((c) => c.oid).sort()).toEqual([...cachedOids].sort());
  for (const commit of cachedRun.commits) expect(commit.cached === undefined || commit.cached === true).toBe(true);
}

describe('verification cache', () => {
  it('checks only what is new after a passing run, and lists the rest from the cache', async () => {
    const { repo, base, tip } = await history();
    const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], mode: 'all', cache: true };
    const first = await verifyRange({ ...options, target: tip });
    expect(first.ok).toBe(true);
    expect(first.checked).toBe(3);
    const next = await repo.commit({ message: 'bob 2\n', sign: world.as('bob') });
    const second = await verifyRange({ ...options, target: next });
    expect(second.ok).toBe(true);
    expect(second.checked).toBe(4);
    expect(second.commits.filter((c) => !c.cached).map((c) => c.oid)).toEqual([next]);
    expect(second.reused).toEqual([tip]);
    await expectSameAsFullRun(second, { ...options, target: next }, first.commits.map((c) => c.oid));
    expect(second.commits.at(-1)!.oid).toBe(base);
  });

  for (const mode of ['tip', 'first-parent', 'all'] as const) {
    it(`${mode}: a repeated run reports what the first run reported, every commit marked cached`, async () => {
      const { repo, base, tip } = await history();
      await repo.commit({ message: 'unsigned below the trust root\n', sign: null, parents: [base] , update: false});
      const side = await repo.commit({ message: 'side\n', sign: world.as('bob'), parents: [base], update: false });
      const merge = await repo.commit({ message: 'merge side\n', sign: world.as('alice'), parents: [tip, side] });
      const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], target: merge, mode, since: base, cache: true };
      const first = await verifyRange(options);
      expect(first.ok).toBe(true);
      expect(first.commits.length).toBe(mode === 'tip' ? 1 : mode === 'first-parent' ? 3 : 4);
      const second = await verifyRange(options);
      expect(second.checked).toBe(first.checked);
      expect(uncachedJson(second)).toEqual(uncachedJson(first));
      expect(second.commits.every((c) => c.cached === true)).toBe(true);
      expect(second.commits[0]!.signer?.fingerprint).toBe(world.fingerprints.alice);
      expect(second.reused).toEqual([merge]);
      await expectSameAsFullRun(second, options, first.commits.map((c) => c.oid));
    });
  }

  for (const mode of ['first-parent', 'all'] as const) {
    it(`${mode}: a cache covering part of the range lists the commits below the stop point in full-run order`, async () => {
      // base ← c1 ← c2 (cached) ← m (merges s1, on c1) ← top;  d1 on c1 joins the cached chain below its head
      const repo = await Repo.init();
      const base = await repo.commit({ message: 'base\n', sign: world.as('alice') });
      const c1 = await repo.commit({ message: 'c1\n', sign: world.as('bob') });
      const c2 = await repo.commit({ message: 'c2\n', sign: world.as('alice') });
      const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], mode, since: base, cache: true };
      expect((await verifyRange({ ...options, target: c2 })).ok).toBe(true);
      const s1 = await repo.commit({ message: 's1\n', sign: world.as('bob'), parents: [c1], update: false });
      await repo.commit({ message: 'merge s1\n', sign: world.as('alice'), parents: [c2, s1] });
      const top = await repo.commit({ message: 'top\n', sign: world.as('bob') });
      const partial = await verifyRange({ ...options, target: top });
      expect(partial.ok).toBe(true);
      expect(partial.reused).toEqual(mode === 'all' ? [c2, c1] : [c2]);
      await expectSameAsFullRun(partial, { ...options, target: top }, [c2, c1]);
      if (mode === 'all') expect(partial.commits.map((c) => c.subject)).toEqual(['top', 'merge s1', 'c2', 's1', 'c1']);
      const d1 = await repo.commit({ message: 'd1\n', sign: world.as('alice'), parents: [c1], update: false });
      const joined = await verifyRange({ ...options, target: d1 });
      expect(joined.reused).toEqual([c1]);
      await expectSameAsFullRun(joined, { ...options, target: d1 }, [c1]);
    });
  }

  it('a trust root that moved gets a cache of its own: the listing follows the new root', async () => {
    const { repo, base, tip } = await history();
    const middle = await repo.revParse(`${tip}~1`);
    await repo.tag('deployed', { sign: world.as('alice'), target: base });
    const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], target: tip, since: 'deployed', mode: 'first-parent', cache: true };
    expect((await verifyRange(options)).checked).toBe(2);
    await repo.git('tag', '-d', 'deployed');
    await repo.tag('deployed', { sign: world.as('alice'), target: middle });
    const moved = await verifyRange(options);
    expect(moved.since).toBe(middle);
    expect(moved.commits.map((c) => c.oid)).toEqual([tip]);
    await expectSameAsFullRun(moved, options, []);
    expect(await cacheFiles(repo)).toHaveLength(2);
  });

  it('ignores a cache file in an older format', async () => {
    const { repo, tip } = await history();
    const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], target: tip, mode: 'all', cache: true };
    await verifyRange(options);
    const [file] = await cacheFiles(repo);
    const { policy } = JSON.parse(await readFile(file!, 'utf8')) as { policy: string };
    await writeFile(file!, JSON.stringify({ format: 2, policy, verified: [tip] }), { mode: 0o600 });
    const report = await verifyRange(options);
    expect(report.commits.some((c) => c.cached)).toBe(false);
    expect(report.reused).toEqual([]);
    expect(report.checked).toBe(3);
    expect(report.warnings).toHaveLength(1);
  });

  it('keeps the targets of other branches', async () => {
    const { repo, base, tip } = await history();
    const other = await repo.commit({ message: 'other branch\n', sign: world.as('bob'), parents: [base], update: false });
    const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], mode: 'all', cache: true };
    await verifyRange({ ...options, target: tip });
    await verifyRange({ ...options, target: other });
    const [file] = await cacheFiles(repo);
    expect(JSON.parse(await readFile(file!, 'utf8')).heads).toEqual([other, tip]);
    const again = await verifyRange({ ...options, target: tip });
    expect(again.commits.every((c) => c.cached)).toBe(true);
  });

  it('reports progress as commits settle, cached ones included: never backwards, up to the counted total', async () => {
    const { repo, base, tip } = await history();
    const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], mode: 'all', cache: true };
    await verifyRange({ ...options, target: await repo.revParse(`${tip}~1`) });
    for (const reader of ['git', 'isomorphic'] as const) {
      const seen: [number, number | null][] = [];
      const report = await verifyRange({ ...options, reader, target: tip, onProgress: (done, total) => void seen.push([done, total]) });
      expect(seen.map(([done]) => done)).toEqual([1, 2, 3]);
      expect(new Set(seen.map(([, total]) => total))).toEqual(new Set([reader === 'git' ? 3 : null]));
      expect(report.commits.map((c) => c.oid).at(-1)).toBe(base);
    }
  });

  it('is written atomically with mode 0600 and leaves no temporary file', async () => {
    const { repo, tip } = await history();
    await verifyRange({ repo: repo.dir, keys: [world.keysDir], target: tip, mode: 'all', cache: true });
    const files = await cacheFiles(repo);
    expect(files).toHaveLength(1);
    expect((await stat(files[0]!)).mode & 0o777).toBe(0o600);
    const content = JSON.parse(await readFile(files[0]!, 'utf8'));
    expect(content.format).toBe(3);
    expect(content.heads).toEqual([tip]);
    expect(content.commits).toHaveLength(3);
    // each signer once, however many commits it signed
    expect(content.signers).toHaveLength(2);
  });

  it('never turns a failing commit into a passing one under a different policy', async () => {
    const { repo, tip } = await history();
    const base: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], target: tip, mode: 'all', cache: true };
    expect((await verifyRange(base)).ok).toBe(true);
    // narrower allow list: bob's commit must fail again
    const narrowed = await verifyRange({ ...base, allow: [demoKeys.alice.fingerprint] });
    expect(narrowed.ok).toBe(false);
    expect(narrowed.reused).toEqual([]);
    // other keys (bob's key removed): bob's commit is unknown now
    const aliceOnly = await makeKeysDir({ 'alice.asc': { copy: demoKeys.alice.publicKeyPath } });
    const otherKeys = await verifyRange({ ...base, keys: [aliceOnly] });
    expect(otherKeys.ok).toBe(false);
    expect(otherKeys.commits.map((c) => c.status)).toContain('unknown-key');
  });

  it('does not record a failing run', async () => {
    const { repo } = await history();
    const bad = await repo.commit({ message: 'unsigned\n', sign: null });
    const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], target: bad, mode: 'all', cache: true };
    expect((await verifyRange(options)).ok).toBe(false);
    const again = await verifyRange(options);
    expect(again.ok).toBe(false);
    expect(again.checked).toBe(4);
    expect(again.reused).toEqual([]);
  });

  it('ignores, with a warning, a cache file whose permissions are broader than 0600', async () => {
    const { repo, tip } = await history();
    const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], target: tip, mode: 'all', cache: true };
    await verifyRange(options);
    const [file] = await cacheFiles(repo);
    await chmod(file!, 0o644);
    const report = await verifyRange(options);
    expect(report.reused).toEqual([]);
    expect(report.checked).toBe(3);
    expect(report.warnings.join('\n')).toMatch(/permissions/);
  });

  it('ignores, with a warning, corrupt content (and a forged entry for another policy)', async () => {
    const { repo, tip } = await history();
    const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], target: tip, mode: 'all', cache: true };
    await verifyRange(options);
    const [file] = await cacheFiles(repo);
    const content = JSON.parse(await readFile(file!, 'utf8')) as { commits: [string, number[], ...unknown[]][] };
    const corruptions = [
      '{"format":3,"heads":[',
      // a commit requiring an earlier row: the history would loop
      JSON.stringify({ ...content, commits: content.commits.map((row, i) => (i === 2 ? [row[0], [-2], ...row.slice(2)] : row)) }),
      // a required commit that is not there
      JSON.stringify({ ...content, commits: content.commits.slice(0, 2) }),
      JSON.stringify({ ...content, policy: 'f'.repeat(64) }),
    ];
    for (const corruption of corruptions) {
      await writeFile(file!, corruption, { mode: 0o600 });
      const report = await verifyRange(options);
      expect(report.checked).toBe(3);
      expect(report.reused).toEqual([]);
      expect(report.commits.some((c) => c.cached)).toBe(false);
      expect(report.warnings.join('\n')).toMatch(/corrupt/);
    }
  });

  it('is neither read nor written when disabled', async () => {
    const { repo, tip } = await history();
    await verifyRange({ repo: repo.dir, keys: [world.keysDir], target: tip, mode: 'all' });
    expect(await cacheFiles(repo)).toEqual([]);
  });
});

// The verification cache: reused only under an identical policy, never trusted when tampered with.
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange, type VerifyRangeOptions } from '../../src/index.js';
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

describe('verification cache', () => {
  it('verifies only what is new after a passing run', async () => {
    const { repo, tip } = await history();
    const options: VerifyRangeOptions = { repo: repo.dir, keys: [world.keysDir], mode: 'all', cache: true };
    const first = await verifyRange({ ...options, target: tip });
    expect(first.ok).toBe(true);
    expect(first.checked).toBe(3);
    const next = await repo.commit({ message: 'bob 2\n', sign: world.as('bob') });
    const second = await verifyRange({ ...options, target: next });
    expect(second.ok).toBe(true);
    expect(second.commits.map((c) => c.oid)).toEqual([next]);
    expect(second.reused).toEqual([tip]);
  });

  it('is written atomically with mode 0600 and leaves no temporary file', async () => {
    const { repo, tip } = await history();
    await verifyRange({ repo: repo.dir, keys: [world.keysDir], target: tip, mode: 'all', cache: true });
    const files = await cacheFiles(repo);
    expect(files).toHaveLength(1);
    expect((await stat(files[0]!)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(files[0]!, 'utf8')).verified).toEqual([tip]);
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
    await writeFile(file!, '{"format":2,"verified":[', { mode: 0o600 });
    const corrupt = await verifyRange(options);
    expect(corrupt.checked).toBe(3);
    expect(corrupt.warnings.join('\n')).toMatch(/corrupt/);
    await writeFile(file!, JSON.stringify({ format: 2, policy: 'f'.repeat(64), verified: [tip] }), { mode: 0o600 });
    const forged = await verifyRange(options);
    expect(forged.reused).toEqual([]);
    expect(forged.checked).toBe(3);
  });

  it('is neither read nor written when disabled', async () => {
    const { repo, tip } = await history();
    await verifyRange({ repo: repo.dir, keys: [world.keysDir], target: tip, mode: 'all' });
    expect(await cacheFiles(repo)).toEqual([]);
  });
});

// Cache repositories (--quarantine, the resource's mirrors): created under their lock, refused when the
// directory is something else, and cleared of what killed fetches leave.
import { existsSync } from 'node:fs';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../fixtures/lib/temp.js';
import { openCacheRepository, withCacheRepositoryLock } from '../../../src/git/cache-repo.js';
import { runGit } from '../../../src/git/run-git.js';
import { expectSiggateError, useFixtureCleanup } from '../../helpers/world.js';

useFixtureCleanup();

async function isBare(dir: string): Promise<boolean> {
  const result = await runGit(['--git-dir', dir, 'rev-parse', '--is-bare-repository'], dir);
  return result.stdout.toString().trim() === 'true';
}

async function age(path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

describe('openCacheRepository', () => {
  it('creates a bare repository in a missing or empty directory, and completes a half-made one', async () => {
    const parent = await makeTempDir('siggate-cache-');
    expect(await isBare(await openCacheRepository(join(parent, 'missing')))).toBe(true);
    await mkdir(join(parent, 'empty'));
    expect(await isBare(await openCacheRepository(join(parent, 'empty')))).toBe(true);
    // what a `git init` killed half-way leaves
    await mkdir(join(parent, 'half', 'objects'), { recursive: true });
    await mkdir(join(parent, 'half', 'refs'));
    expect(await isBare(await openCacheRepository(join(parent, 'half')))).toBe(true);
    expect(existsSync(join(parent, 'half', 'siggate.lock'))).toBe(false);
  });

  it('refuses a directory holding anything else, without writing into it', async () => {
    const dir = await makeTempDir('siggate-cache-');
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expectSiggateError(openCacheRepository(dir), { exitCode: 2, code: 'USAGE' });
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });
});

describe('withCacheRepositoryLock', () => {
  it('removes temporary packs older than an hour and git lock files older than a minute, and nothing younger', async () => {
    const dir = join(await makeTempDir('siggate-cache-'), 'mirror.git');
    await openCacheRepository(dir);
    const pack = join(dir, 'objects', 'pack');
    await writeFile(join(pack, 'tmp_pack_old'), 'x');
    await age(join(pack, 'tmp_pack_old'), 2 * 3_600_000);
    await writeFile(join(pack, 'tmp_pack_young'), 'x');
    await mkdir(join(dir, 'refs', 'heads', 'release'), { recursive: true });
    for (const lock of ['refs/heads/main.lock', 'refs/heads/release/1.lock', 'packed-refs.lock']) {
      await writeFile(join(dir, lock), '');
      await age(join(dir, lock), 5 * 60_000);
    }
    await writeFile(join(dir, 'refs', 'heads', 'young.lock'), '');
    await withCacheRepositoryLock(dir, async () => {});
    expect((await readdir(pack)).filter((name) => name.startsWith('tmp_'))).toEqual(['tmp_pack_young']);
    expect(existsSync(join(dir, 'refs', 'heads', 'main.lock'))).toBe(false);
    expect(existsSync(join(dir, 'refs', 'heads', 'release', '1.lock'))).toBe(false);
    expect(existsSync(join(dir, 'packed-refs.lock'))).toBe(false);
    expect(existsSync(join(dir, 'refs', 'heads', 'young.lock'))).toBe(true);
  });
});

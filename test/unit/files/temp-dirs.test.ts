// Temp directories carry their creator's pid, so that a later run removes what a killed one left behind.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../fixtures/lib/temp.js';
import { makeOwnedTempDir, ownerPidOf, removeOwnedTempDir, sweepStaleFiles, sweepStaleTempDirs } from '../../../src/files/temp-dirs.js';
import { useFixtureCleanup } from '../../helpers/world.js';

useFixtureCleanup();

const SRC = join(import.meta.dirname, '../../../src');
const HOUR_AGO = new Date(Date.now() - 3_600_000);

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function oldDir(path: string): Promise<string> {
  await mkdir(path);
  await writeFile(join(path, 'pack'), 'x');
  await utimes(path, HOUR_AGO, HOUR_AGO);
  return path;
}

describe('makeOwnedTempDir', () => {
  it('names the directory after the prefix and this pid, mode 0700, and removes it', async () => {
    const parent = await makeTempDir('siggate-owned-');
    const dir = await makeOwnedTempDir(parent, 'siggate-quarantine-');
    expect(ownerPidOf(basename(dir), 'siggate-quarantine-')).toBe(process.pid);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await removeOwnedTempDir(dir);
    expect(existsSync(dir)).toBe(false);
  });

  it('removes the stale directories of its prefix first, and only those', async () => {
    const parent = await makeTempDir('siggate-owned-');
    const stale = await oldDir(join(parent, `siggate-scratch-${deadPid()}-AbC123`));
    const otherPrefix = await oldDir(join(parent, `siggate-quarantine-${deadPid()}-AbC123`));
    await makeOwnedTempDir(parent, 'siggate-scratch-');
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(otherPrefix)).toBe(true);
  });
});

describe('sweepStaleTempDirs', () => {
  it('removes a directory only when it is old and its creator is gone', async () => {
    const parent = await makeTempDir('siggate-owned-');
    const dead = deadPid();
    const oldAndDead = await oldDir(join(parent, `siggate-quarantine-${dead}-aaaaaa`));
    const oldButAlive = await oldDir(join(parent, `siggate-quarantine-${process.ppid}-bbbbbb`));
    const newAndDead = join(parent, `siggate-quarantine-${dead}-cccccc`);
    await mkdir(newAndDead);
    const notOurs = await oldDir(join(parent, 'siggate-quarantine-notapid'));
    const removed = await sweepStaleTempDirs(parent, 'siggate-quarantine-');
    expect(removed).toEqual([oldAndDead]);
    expect(await readdir(parent)).toEqual(expect.arrayContaining([basename(oldButAlive), basename(newAndDead), basename(notOurs)]));
  });

  it('never removes a directory this process made, whatever its age; one with its pid made by an earlier process goes', async () => {
    const parent = await makeTempDir('siggate-owned-');
    const mine = await makeOwnedTempDir(parent, 'siggate-ssh-');
    await utimes(mine, HOUR_AGO, HOUR_AGO);
    // in a container every run can have the same pid: a name with our pid that we did not make is a dead run's
    const reused = await oldDir(join(parent, `siggate-ssh-${process.pid}-zzzzzz`));
    expect(await sweepStaleTempDirs(parent, 'siggate-ssh-')).toEqual([reused]);
    expect(existsSync(mine)).toBe(true);
  });

  it('honours a shorter age and leaves files with a matching name alone', async () => {
    const parent = await makeTempDir('siggate-owned-');
    const young = join(parent, `.dest.siggate-${deadPid()}-dddddd`);
    await mkdir(young);
    const file = join(parent, `.dest.siggate-${deadPid()}-eeeeee`);
    await writeFile(file, 'a file written atomically, not ours to sweep');
    await utimes(file, HOUR_AGO, HOUR_AGO);
    expect(await sweepStaleTempDirs(parent, '.dest.siggate-', { olderThanMs: 0 })).toEqual([young]);
    expect(existsSync(file)).toBe(true);
  });
});

describe('sweepStaleFiles', () => {
  it('removes old files matching the pattern and keeps young or other ones', async () => {
    const dir = await makeTempDir('siggate-pack-');
    for (const name of ['tmp_pack_old', 'tmp_pack_new', 'pack-1.pack']) await writeFile(join(dir, name), 'x');
    await utimes(join(dir, 'tmp_pack_old'), HOUR_AGO, HOUR_AGO);
    await utimes(join(dir, 'pack-1.pack'), HOUR_AGO, HOUR_AGO);
    expect(await sweepStaleFiles(dir, /^tmp_/, 30 * 60_000)).toEqual([join(dir, 'tmp_pack_old')]);
    expect((await readdir(dir)).sort()).toEqual(['pack-1.pack', 'tmp_pack_new']);
  });
});

describe('temp directories in src/', () => {
  it('are all made by files/temp-dirs.ts', async () => {
    const users: string[] = [];
    for (const entry of await readdir(SRC, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const path = join(entry.parentPath, entry.name);
      if (/\bmkdtemp(Sync)?\b/.test(await readFile(path, 'utf8'))) users.push(relative(SRC, path));
    }
    expect(users).toEqual(['files/temp-dirs.ts']);
  });
});

import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RemoteError, UsageError } from '../core/errors.js';
import { withLockFile } from '../files/lock-file.js';
import { sweepStaleFiles } from '../files/temp-dirs.js';
import { git, runGit } from './run-git.js';

/** The lock every writer of a cache repository holds: siggate's own, beside git's files in the bare repository. */
export const CACHE_LOCK_NAME = 'siggate.lock';

/** A temporary pack of a fetch killed mid-transfer is garbage after this long (git's own transfers are long over). */
const STALE_PACK_MS = 60 * 60_000;

/** A git lock file this old, found while we hold the cache lock, was left by a killed git: git holds ref locks for milliseconds. */
const STALE_GIT_LOCK_MS = 60_000;

/** Create a bare repository for siggate's own use: no background gc or maintenance, nothing detaches from the run. */
export async function initBare(dir: string): Promise<void> {
  await git(['init', '--quiet', '--bare', dir], dir);
  await git(['config', 'gc.auto', '0'], dir);
  await git(['config', 'maintenance.auto', 'false'], dir);
}

/**
 * A bare cache repository reused across runs (`--quarantine`, the resource's mirrors): created when
 * missing or empty; anything else than a bare repository there is a UsageError (exit 2).
 */
export async function openCacheRepository(dir: string): Promise<string> {
  await refuseForeignDirectory(dir);
  await withCacheRepositoryLock(dir, async () => {});
  return dir;
}

/**
 * Run `body` holding the cache repository's write lock, the repository created first when missing and the
 * leftovers of killed fetches removed. Every fetch into a cache repository goes through here, so that
 * concurrent runs sharing it (eight `check`s of one pipeline) take turns instead of failing on git's ref locks.
 */
export async function withCacheRepositoryLock<T>(dir: string, body: () => Promise<T>): Promise<T> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const busy = (holder: { pid: number; host: string; since: string } | null): Error =>
    new RemoteError(`the cache repository ${dir} stayed locked${holder ? ` by process ${holder.pid} on ${holder.host} (since ${holder.since})` : ''}; another siggate is fetching into it`);
  return withLockFile(join(dir, CACHE_LOCK_NAME), { busy }, async () => {
    // a killed `git init` leaves a partial repository; init again fills in what is missing
    if (!existsSync(join(dir, 'HEAD')) || !existsSync(join(dir, 'config')) || !existsSync(join(dir, 'objects'))) await initBare(dir);
    await sweepGitLeftovers(dir);
    return body();
  });
}

/** Under the cache lock no other siggate writes here: old temporary packs and git lock files are a killed run's. */
async function sweepGitLeftovers(dir: string): Promise<void> {
  await sweepStaleFiles(join(dir, 'objects', 'pack'), /^tmp_/, STALE_PACK_MS);
  await sweepStaleFiles(dir, /^(packed-refs|HEAD|config|shallow|FETCH_HEAD)\.lock$/, STALE_GIT_LOCK_MS);
  await sweepRefLocks(join(dir, 'refs'));
}

async function sweepRefLocks(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((entry) => entry.isFile() && entry.name.endsWith('.lock'))) await sweepStaleFiles(dir, /\.lock$/, STALE_GIT_LOCK_MS);
  for (const entry of entries) if (entry.isDirectory()) await sweepRefLocks(join(dir, entry.name));
}

/** A directory that holds something else than a (possibly half-made) bare repository is not ours to write into. */
async function refuseForeignDirectory(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`quarantine ${dir} exists and is not a directory`);
  const names = (await readdir(dir)).filter((name) => !name.startsWith(CACHE_LOCK_NAME));
  if (names.length === 0) return;
  // --git-dir: never the repository of a directory above
  const result = await runGit(['--git-dir', dir, 'rev-parse', '--is-bare-repository'], dir);
  if (result.code === 0 && result.stdout.toString('utf8').trim() === 'true') return;
  if (names.every((name) => GIT_DIR_ENTRIES.has(name))) return;
  throw new UsageError(`quarantine ${dir} exists and is not a bare git repository`);
}

/** What `git init --bare` creates: a directory holding only these is one it did not finish. */
const GIT_DIR_ENTRIES = new Set(['branches', 'config', 'description', 'hooks', 'info', 'objects', 'refs', 'HEAD']);

import { lstat, mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from './owner.js';

/**
 * A temp directory left by a killed run is removed by a later run once it is this old and its creator is
 * gone. The age guards against a creator whose pid this process cannot see (another pid namespace).
 */
export const STALE_TEMP_DIR_MS = 30 * 60_000;

/** The directories this process made and has not removed: never stale, whatever their age. */
const ownedHere = new Set<string>();

/**
 * Create `parent/<prefix><pid>-XXXXXX` (mode 0700; the pid says who owns it), after removing the stale
 * ones of the same prefix that killed runs left in `parent` (`staleAfterMs` as in {@link sweepStaleTempDirs}).
 * Remove it with {@link removeOwnedTempDir}.
 */
export async function makeOwnedTempDir(parent: string, prefix: string, options: { staleAfterMs?: number } = {}): Promise<string> {
  await sweepStaleTempDirs(parent, prefix, { ...(options.staleAfterMs !== undefined ? { olderThanMs: options.staleAfterMs } : {}) });
  const dir = await mkdtemp(join(parent, `${prefix}${process.pid}-`));
  ownedHere.add(dir);
  return dir;
}

/** Remove a directory made by {@link makeOwnedTempDir} (or renamed away: then only forget it). */
export async function removeOwnedTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  ownedHere.delete(dir);
}

/** The pid recorded in a name made by {@link makeOwnedTempDir} with this prefix, or null for any other name. */
export function ownerPidOf(name: string, prefix: string): number | null {
  if (!name.startsWith(prefix)) return null;
  const match = /^(\d{1,10})-[A-Za-z0-9]{6}$/.exec(name.slice(prefix.length));
  return match ? Number(match[1]) : null;
}

/** Whether a directory with this owner pid belongs to a run that is over (this process's own are known by path). */
export function isOwnerGone(path: string, pid: number): boolean {
  if (pid === process.pid) return !ownedHere.has(path);
  return !isProcessAlive(pid);
}

/**
 * Remove the directories of `parent` that {@link makeOwnedTempDir} made with `prefix`, whose creator is
 * gone and which are at least `olderThanMs` old (default {@link STALE_TEMP_DIR_MS}). Best effort: what
 * cannot be removed stays. Returns the paths removed.
 */
export async function sweepStaleTempDirs(parent: string, prefix: string, options: { olderThanMs?: number } = {}): Promise<string[]> {
  const olderThan = options.olderThanMs ?? STALE_TEMP_DIR_MS;
  const names = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const pid = ownerPidOf(name, prefix);
    if (pid === null) continue;
    const path = join(parent, name);
    if (!isOwnerGone(path, pid)) continue;
    const stat = await lstat(path).catch(() => null);
    if (!stat?.isDirectory() || Date.now() - stat.mtimeMs < olderThan) continue;
    await rm(path, { recursive: true, force: true }).then(() => removed.push(path), () => {});
  }
  return removed;
}

/** Remove the plain files of `dir` whose names match `pattern` and that are at least `olderThanMs` old. Best effort. */
export async function sweepStaleFiles(dir: string, pattern: RegExp, olderThanMs: number): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!pattern.test(name)) continue;
    const path = join(dir, name);
    const stat = await lstat(path).catch(() => null);
    if (!stat?.isFile() || Date.now() - stat.mtimeMs < olderThanMs) continue;
    await unlink(path).then(() => removed.push(path), () => {});
  }
  return removed;
}

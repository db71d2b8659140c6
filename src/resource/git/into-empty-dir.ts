import { lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../../files/atomic-file.js';
import { isOwnerGone, makeOwnedTempDir, ownerPidOf, removeOwnedTempDir } from '../../files/temp-dirs.js';

/** siggate's own entries in DEST: `.siggate-in-<pid>-XXXXXX`, nothing else is ever removed there. */
const STAGE_PREFIX = '.siggate-in-';

/** In the stage, the names being moved up into DEST: what a retry takes back out of DEST. */
const MOVING = 'moving.json';

/**
 * Concourse's DEST is an existing empty directory, often a volume's mount point, which cannot be renamed
 * over: `build` makes the checkout in a staging directory inside DEST, and its entries move up only once it
 * returned (the gate passed and everything was fetched and checked); a throw leaves DEST as it was. The
 * stage lists the entries before they move, so that a retry after a kill (which finds DEST holding the
 * stage and some moved entries) removes exactly what the killed run put there and starts again from an
 * empty DEST. Otherwise the stage is gone afterwards, whatever happens. A DEST that holds something else
 * is handed to `existing` (a run killed after its last move left a complete checkout there).
 */
export async function buildInEmptyDir<T>(dest: string, build: (into: string) => Promise<T>, existing: (dest: string) => Promise<T>): Promise<T> {
  await mkdir(dest, { recursive: true });
  await clearInterruptedRuns(dest);
  if ((await readdir(dest)).length > 0) return existing(dest);
  const stage = await makeOwnedTempDir(dest, STAGE_PREFIX);
  try {
    const into = join(stage, 'checkout');
    const result = await build(into);
    const entries = await readdir(into);
    await writeFileAtomically(join(stage, MOVING), Buffer.from(JSON.stringify(entries)));
    for (const entry of entries) await rename(join(into, entry), join(dest, entry));
    return result;
  } finally {
    await removeOwnedTempDir(stage);
  }
}

/** Remove the stages of runs that are over, and the entries they had moved into DEST. */
async function clearInterruptedRuns(dest: string): Promise<void> {
  for (const name of await readdir(dest)) {
    const pid = ownerPidOf(name, STAGE_PREFIX);
    const stage = join(dest, name);
    if (pid === null || !isOwnerGone(stage, pid) || !(await lstat(stage)).isDirectory()) continue;
    for (const entry of await movingEntries(stage)) {
      // moved by the killed run when it is in DEST and no longer in the stage's checkout
      if ((await exists(join(dest, entry))) && !(await exists(join(stage, 'checkout', entry)))) await rm(join(dest, entry), { recursive: true, force: true });
    }
    await rm(stage, { recursive: true, force: true });
  }
}

/** lstat, not existsSync: a checked-out symbolic link may point nowhere. */
const exists = (path: string): Promise<boolean> => lstat(path).then(() => true, () => false);

async function movingEntries(stage: string): Promise<string[]> {
  const text = await readFile(join(stage, MOVING), 'utf8').catch(() => null);
  if (text === null) return [];
  try {
    const names = JSON.parse(text) as unknown;
    if (!Array.isArray(names)) return [];
    return names.filter((name): name is string => typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0'));
  } catch {
    return [];
  }
}

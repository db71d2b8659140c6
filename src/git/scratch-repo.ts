import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { makeOwnedTempDir, removeOwnedTempDir } from '../files/temp-dirs.js';
import { git } from './run-git.js';

/** Where a scratch repository borrows objects from: a local repository's object directory. */
export interface ScratchOptions {
  /** A repository whose objects the scratch repository may read (never write): saves fetching what is already here. */
  borrowFrom?: string | null;
  objectFormat?: 'sha1' | 'sha256';
}

/**
 * Runs `work` in a new bare repository under the temporary directory and removes it afterwards, whatever
 * happens: commands that fetch, merge, sign and push work there, so the user's work tree, index and
 * branches are never touched and a failure leaves nothing behind (a kill does; a later run removes it).
 */
export async function withScratchRepo<T>(options: ScratchOptions, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await makeOwnedTempDir(tmpdir(), 'siggate-scratch-');
  try {
    await git(['init', '--bare', '--quiet', `--object-format=${options.objectFormat ?? 'sha1'}`, dir], tmpdir());
    if (options.borrowFrom) await borrowObjects(dir, options.borrowFrom);
    return await work(dir);
  } finally {
    await removeOwnedTempDir(dir);
  }
}

async function borrowObjects(dir: string, repo: string): Promise<void> {
  const objects = (await git(['rev-parse', '--git-path', 'objects'], repo)).trim();
  const absolute = isAbsolute(objects) ? objects : resolve(repo, objects);
  await writeFile(join(dir, 'objects', 'info', 'alternates'), `${absolute}\n`);
}

/** The object format of a local repository. */
export async function objectFormatOf(repo: string): Promise<'sha1' | 'sha256'> {
  return (await git(['rev-parse', '--show-object-format'], repo)).trim() === 'sha256' ? 'sha256' : 'sha1';
}

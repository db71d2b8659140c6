import { lstat, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from '../core/errors.js';
import { git, runGit } from './run-git.js';

/** A path change between two trees, as `git diff-tree --name-status` gives it (A added, D deleted, M, T, ...). */
export interface TreeChange {
  status: string;
  path: string;
}

/** The paths that differ between two commits' trees, renames as a deletion and an addition. */
export async function treeChanges(dir: string, from: string, to: string): Promise<TreeChange[]> {
  const out = await git(['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to], dir);
  const tokens = out.split('\0');
  const changes: TreeChange[] = [];
  for (let i = 0; i + 1 < tokens.length; i += 2) changes.push({ status: tokens[i]!.charAt(0), path: tokens[i + 1]! });
  return changes;
}

/**
 * Put the work tree and the index file `index` back to commit `from` after a switch to `to` was cut short:
 * the paths that differ between the two get `from`'s content (those `to` added are removed); every other
 * path keeps what is there, so an edit made since stays an edit. The index keeps its stat data where it can.
 */
export async function restoreTree(dir: string, index: string, from: string, to: string): Promise<void> {
  await git(['read-tree', '-m', from], dir, { indexFile: index });
  const changes = await treeChanges(dir, from, to);
  for (const change of changes) if (change.status === 'A') await removeAddedPath(dir, change.path);
  const restored = changes.filter((change) => change.status !== 'A').map((change) => change.path);
  if (restored.length > 0) {
    const args = ['checkout-index', '-f', '-u', '-z', '--stdin'];
    const result = await runGit(args, dir, { indexFile: index, input: Buffer.from(`${restored.join('\0')}\0`) });
    if (result.code !== 0) throw new GitError(`git checkout-index failed while undoing an interrupted update: ${result.stderr.trim().slice(0, 500)}`, args, result.stderr);
  }
  // exit 1 only means some entries differ from the files (edits made since): the index is written either way
  await runGit(['update-index', '-q', '--refresh'], dir, { indexFile: index });
}

/** Remove a file the interrupted switch may have written, never through a symbolic link or outside DIR; then its empty parents. */
async function removeAddedPath(dir: string, path: string): Promise<void> {
  const parts = path.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..' || part.toLowerCase() === '.git')) return;
  for (let depth = 1; depth < parts.length; depth += 1) {
    const parent = await lstat(join(dir, ...parts.slice(0, depth))).catch(() => null);
    if (!parent?.isDirectory()) return;
  }
  const entry = await lstat(join(dir, ...parts)).catch(() => null);
  if (!entry || entry.isDirectory()) return;
  await unlink(join(dir, ...parts));
  for (let depth = parts.length - 1; depth >= 1; depth -= 1) {
    const removed = await rmdir(join(dir, ...parts.slice(0, depth))).then(() => true, () => false);
    if (!removed) return;
  }
}

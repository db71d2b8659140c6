import { RepositoryError } from '../core/errors.js';
import { runGit } from './run-git.js';

/** The tree of merging `theirs` into `ours` without a work tree, or the conflicted paths. */
export async function mergeTree(repo: string, ours: string, theirs: string): Promise<{ tree: string } | { conflicts: string[] }> {
  const result = await runGit(['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs], repo);
  const lines = result.stdout.toString('utf8').split('\n');
  if (result.code === 0) return { tree: lines[0]!.trim() };
  if (result.code === 1) return { conflicts: [...new Set(lines.slice(1).filter(Boolean))] };
  const detail = result.stderr.trim().split('\n').filter(Boolean).at(-1) ?? 'no message';
  throw new RepositoryError(`git merge-tree failed (git 2.38 or newer is needed): ${detail}`);
}

/** The paths a pull request changes: from the merge base of `base` and `head` to `head` (renames as both paths). */
export async function changedPaths(repo: string, base: string, head: string): Promise<string[]> {
  const result = await runGit(['diff', '--name-only', '--no-renames', '-z', `${base}...${head}`], repo);
  if (result.code !== 0) throw new RepositoryError(`git diff failed: ${result.stderr.trim().split('\n').at(-1) ?? 'no message'}`);
  return result.stdout.toString('utf8').split('\0').filter(Boolean);
}

/** The bytes of `path` in `commit`, as UTF-8, or null when the commit has no such file. */
export async function readFileAt(repo: string, commit: string, path: string): Promise<string | null> {
  const result = await runGit(['cat-file', 'blob', `${commit}:${path}`], repo);
  return result.code === 0 ? result.stdout.toString('utf8') : null;
}

/** The tree and parents of a commit, or null when it is not there. */
export async function treeAndParents(repo: string, commit: string): Promise<{ tree: string; parents: string[] } | null> {
  const result = await runGit(['show', '-s', '--format=%T %P', `${commit}^{commit}`], repo);
  if (result.code !== 0) return null;
  const [tree, ...parents] = result.stdout.toString('utf8').trim().split(' ').filter(Boolean);
  return tree ? { tree, parents } : null;
}

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

import { RepositoryError } from '../core/errors.js';
import { git, runGit } from './run-git.js';

/** Whether `name` is a branch name git accepts; names from outside (GitHub, pipelines) go into refspecs. */
export async function isValidBranchName(repo: string, name: string): Promise<boolean> {
  if (name.length === 0 || name.startsWith('-') || name.includes(':')) return false;
  return (await runGit(['check-ref-format', `refs/heads/${name}`], repo)).code === 0;
}

/** Whether `name` is a tag name git accepts. */
export async function isValidTagName(repo: string, name: string): Promise<boolean> {
  if (name.length === 0 || name.startsWith('-')) return false;
  return (await runGit(['check-ref-format', `refs/tags/${name}`], repo)).code === 0;
}

/** The commit a revision peels to, or null when it names none. */
export async function peelCommit(repo: string, rev: string): Promise<string | null> {
  const result = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], repo);
  return result.code === 0 ? result.stdout.toString('utf8').trim() : null;
}

/** The commit a revision peels to; a revision that names none is a RepositoryError (exit 2). */
export async function requireCommit(repo: string, rev: string): Promise<string> {
  const oid = await peelCommit(repo, rev);
  if (!oid) throw new RepositoryError(`cannot resolve ${rev} to a commit in ${repo}`);
  return oid;
}

/** Whether `ancestor` is reachable from `descendant` (git merge-base; grafts and replace refs off, as for every git here). */
export async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await runGit(['merge-base', '--is-ancestor', ancestor, descendant], repo);
  if (result.code > 1) throw new RepositoryError(`cannot tell whether ${ancestor} is an ancestor of ${descendant}: ${result.stderr.trim()}`);
  return result.code === 0;
}

/** The absolute git directory of a repository, or null when `dir` is not in one. */
export async function gitDirOf(dir: string): Promise<string | null> {
  const result = await runGit(['rev-parse', '--absolute-git-dir'], dir);
  return result.code === 0 ? result.stdout.toString('utf8').trim() : null;
}

/** The first-parent chain after `from` up to `to`, oldest first. */
export async function firstParentsAfter(repo: string, from: string, to: string): Promise<string[]> {
  const out = await git(['rev-list', '--first-parent', '--reverse', `${from}..${to}`], repo);
  return out.split('\n').filter((line) => line !== '');
}

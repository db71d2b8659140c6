import { RemoteError, RepositoryError } from '../errors.js';
import { lastLine, pushRef, REF_CHANGED } from './push.js';
import { redactUrl } from './redact.js';
import { git, runGit } from './run-git.js';

/** Fetches remote refs into a scratch repository under local names (`remote ref → local ref`). */
export async function fetchRefs(scratch: string, url: string, refs: Record<string, string>): Promise<void> {
  const refspecs = Object.entries(refs).map(([remote, local]) => `+${remote}:${local}`);
  const result = await runGit(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--end-of-options', url, ...refspecs], scratch);
  if (result.code !== 0) {
    throw new RemoteError(`cannot fetch ${Object.keys(refs).join(' and ')} from ${redactUrl(url)}: ${lastLine(result.stderr)}`);
  }
}

/** Whether `name` is a branch name git accepts; names come from GitHub's answers and go into refspecs. */
export async function isBranchName(repo: string, name: string): Promise<boolean> {
  if (name.startsWith('-') || name.includes(':')) return false;
  return (await runGit(['check-ref-format', `refs/heads/${name}`], repo)).code === 0;
}

/** The commit a local ref points at. */
export async function refOid(repo: string, ref: string): Promise<string> {
  return (await git(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`], repo)).trim();
}

export async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await runGit(['merge-base', '--is-ancestor', ancestor, descendant], repo);
  if (result.code > 1) throw new RepositoryError(`git merge-base failed: ${lastLine(result.stderr)}`);
  return result.code === 0;
}

/** The tree of merging `theirs` into `ours` without a work tree, or the conflicted paths. */
export async function mergeTree(repo: string, ours: string, theirs: string): Promise<{ tree: string } | { conflicts: string[] }> {
  const result = await runGit(['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs], repo);
  const lines = result.stdout.toString('utf8').split('\n');
  if (result.code === 0) return { tree: lines[0]!.trim() };
  if (result.code === 1) return { conflicts: [...new Set(lines.slice(1).filter(Boolean))] };
  throw new RepositoryError(`git merge-tree failed (git 2.38 or newer is needed): ${lastLine(result.stderr)}`);
}

/** How a push ended. */
export type PushOutcome = { ok: true } | { ok: false; moved: boolean; reason: string };

/**
 * Pushes `commit` to `branch` only if the remote branch still is `expected`: a compare-and-swap, so a
 * base that moved (or was rewound) meanwhile refuses the push instead of being overwritten. The commit
 * descends from `expected`, so the update is always a fast-forward.
 */
export async function pushIfUnchanged(repo: string, url: string, commit: string, branch: string, expected: string): Promise<PushOutcome> {
  const pushed = await pushRef(repo, url, `${commit}:refs/heads/${branch}`, { lease: expected });
  return pushed.ok ? { ok: true } : { ok: false, moved: REF_CHANGED.test(pushed.reason), reason: pushed.reason };
}

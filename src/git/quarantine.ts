import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { makeOwnedTempDir, removeOwnedTempDir } from '../files/temp-dirs.js';
import { initBare, openCacheRepository, withCacheRepositoryLock } from './cache-repo.js';
import { peelCommit } from './refs.js';
import { runGit } from './run-git.js';

/** Where the quarantine keeps the remote's branches (tags go to refs/tags, mirrored and pruned). */
export const BRANCH_NAMESPACE = 'refs/siggate/heads/';

/** Where the quarantine keeps refs outside refs/heads and refs/tags (`refs/pull/1/head` → `refs/siggate/extra/pull/1/head`). */
export const EXTRA_NAMESPACE = 'refs/siggate/extra/';

/** The refspecs that bring a remote's branches, tags and `extraRefs` into the quarantine's namespaces. */
export function quarantineRefspecs(extraRefs: readonly string[]): string[] {
  return [`+refs/heads/*:${BRANCH_NAMESPACE}*`, '+refs/tags/*:refs/tags/*', ...extraRefs.map((ref) => `+${ref}:${extraRefName(ref)}`)];
}

function extraRefName(ref: string): string {
  return `${EXTRA_NAMESPACE}${ref.slice('refs/'.length)}`;
}

/** The commit a fetch will verify, and the branch the destination should carry (null: detached). */
export interface ResolvedTarget {
  commit: string;
  branch: string | null;
}

const FULL_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** True for a full object id (40 or 64 hex digits). */
export function isFullOid(ref: string): boolean {
  return FULL_OID.test(ref);
}

/**
 * Run `body` in a bare quarantine: the given cache repository (created when missing), or a temporary one
 * removed afterwards (one a killed run left behind is removed by a later run). Fetches into it go through
 * {@link withCacheRepositoryLock}.
 */
export async function withQuarantine<T>(path: string | undefined, body: (gitDir: string) => Promise<T>): Promise<T> {
  if (path !== undefined) return body(await openCacheRepository(resolve(path)));
  const dir = await makeOwnedTempDir(tmpdir(), 'siggate-quarantine-');
  try {
    await initBare(dir);
    return await body(dir);
  } finally {
    await removeOwnedTempDir(dir);
  }
}

/** The quarantine ref a user's ref names, after a fetch: branches and tags as the remote had them. */
export async function resolveTarget(quarantine: string, ref: string | undefined, defaultBranch: string | null): Promise<ResolvedTarget> {
  if (ref === undefined) {
    if (!defaultBranch) throw new UsageError('the remote has no default branch (HEAD); pass --ref');
    return resolveBranch(quarantine, defaultBranch.slice('refs/heads/'.length));
  }
  if (isFullOid(ref)) return { commit: await peelOrFail(quarantine, ref.toLowerCase(), ref), branch: null };
  if (ref.startsWith('refs/heads/')) return resolveBranch(quarantine, ref.slice('refs/heads/'.length));
  if (ref.startsWith('refs/tags/')) return { commit: await peelOrFail(quarantine, ref, ref), branch: null };
  if (ref.startsWith('refs/')) return { commit: await peelOrFail(quarantine, extraRefName(ref), ref), branch: null };
  if (await peelCommit(quarantine, `${BRANCH_NAMESPACE}${ref}`)) return resolveBranch(quarantine, ref);
  return { commit: await peelOrFail(quarantine, `refs/tags/${ref}`, ref), branch: null };
}

async function resolveBranch(quarantine: string, name: string): Promise<ResolvedTarget> {
  return { commit: await peelOrFail(quarantine, `${BRANCH_NAMESPACE}${name}`, name), branch: name };
}

async function peelOrFail(quarantine: string, rev: string, shown: string): Promise<string> {
  const oid = await peelCommit(quarantine, rev);
  if (!oid) throw new UsageError(`${shown} was not found on the remote (or is not a commit)`);
  return oid;
}

/**
 * A trust root that the remote no longer has (a force-push dropped it) is usually the commit the
 * destination already holds: copy that history into the quarantine (reading the destination only),
 * so that a rewind is reported as `not-descendant` rather than as an unknown revision.
 */
export async function seedTrustRoot(quarantine: string, destination: string, since: string): Promise<void> {
  if (!isFullOid(since) || (await peelCommit(quarantine, since))) return;
  await withCacheRepositoryLock(quarantine, () => runGit(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', destination, since.toLowerCase()], quarantine));
}

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SiggateError, UsageError } from '../../core/errors.js';
import { withCacheRepositoryLock } from '../../git/cache-repo.js';
import { BRANCH_NAMESPACE } from '../../git/quarantine.js';
import { peelCommit } from '../../git/refs.js';
import { git } from '../../git/run-git.js';
import type { RemoteAccess } from '../../remote/access.js';
import { fetchRefs, listRemoteRefs } from '../../remote/transfer.js';
import { matchTagRegex } from './tag-regex.js';
import { usesTags, type ResourceSource } from './source.js';

/** The ref the remote's default branch is fetched to when the source names no branch. */
const DEFAULT_TIP_REF = 'refs/siggate/tip';

/** A bare cache repository of the source's remote: verification happens here, never in a work tree. */
export interface Mirror {
  gitDir: string;
  /** The branch tip (null in tag mode). */
  tip: string | null;
  /**
   * Where git-resource's walk starts (its `git rev-list --all` in a clone of the branch, or of every branch
   * and tag in tag mode), as rev-list arguments naming refs of this mirror only: never a ref another script
   * wrote here (`out`'s checkout), so that a version is always something the remote has.
   */
  revisions: string[];
}

/** A stable path per uri and branch under the cache dir, so that repeated checks fetch incrementally. */
export function mirrorPath(cacheDir: string, source: ResourceSource): string {
  const key = createHash('sha256').update(`${source.uri}\0${source.branch ?? ''}`).digest('hex').slice(0, 24);
  return join(cacheDir, key);
}

/** Where a tag-mode mirror keeps the remote's branch `branch` (every branch is fetched there, as in `in`'s quarantine). */
export function mirroredBranchRef(branch: string): string {
  return `${BRANCH_NAMESPACE}${branch}`;
}

/**
 * Create the mirror if needed and fetch the branch (or, in tag mode, every branch and every tag, as
 * git-resource's check clones them) into it, holding the mirror's lock: the runs of one worker share the
 * mirror and take turns. A `source.branch` the remote does not have is a UsageError (exit 2) in both modes.
 */
export async function updateMirror(cacheDir: string, source: ResourceSource, remote: RemoteAccess): Promise<Mirror> {
  const gitDir = mirrorPath(cacheDir, source);
  if (usesTags(source)) return updateTagMirror(gitDir, source, remote);
  const tipRef = source.branch ? `refs/heads/${source.branch}` : DEFAULT_TIP_REF;
  // A trust root given by name is most likely a tag: fetch tags so that it resolves.
  const since = source.range.since;
  const wantsTags = since !== null && !/^[0-9a-f]{40,64}$/.test(since);
  // policy guix: the keyring branch too (the keys come from it)
  const guix = source.range.inRepository?.kind === 'guix' ? source.range.inRepository : null;
  const keyring = guix ? [`+refs/heads/${guix.keyringRef ?? 'keyring'}:refs/remotes/origin/${guix.keyringRef ?? 'keyring'}`] : [];
  const refspecs = [`+${source.branch ? tipRef : 'HEAD'}:${tipRef}`, ...(wantsTags ? ['+refs/tags/*:refs/tags/*'] : []), ...keyring];
  return withCacheRepositoryLock(gitDir, async () => {
    try {
      await fetchRefs(remote, gitDir, refspecs, { prune: true });
    } catch (error) {
      if (error instanceof UsageError && source.branch) throw await missingBranch(remote, gitDir, source.branch, error);
      throw error;
    }
    return { gitDir, tip: (await git(['rev-parse', '--verify', `${tipRef}^{commit}`], gitDir)).trim(), revisions: [tipRef] };
  });
}

/** Tag mode: every branch (tags may be on any, and `--merged BRANCH` needs the branch) and every tag, pruned to the remote's. */
async function updateTagMirror(gitDir: string, source: ResourceSource, remote: RemoteAccess): Promise<Mirror> {
  return withCacheRepositoryLock(gitDir, async () => {
    await fetchRefs(remote, gitDir, [`+refs/heads/*:${BRANCH_NAMESPACE}*`, '+refs/tags/*:refs/tags/*'], { prune: true });
    if (source.branch && !(await peelCommit(gitDir, mirroredBranchRef(source.branch)))) {
      throw await missingBranch(remote, gitDir, source.branch, null);
    }
    return { gitDir, tip: null, revisions: [`--glob=${BRANCH_NAMESPACE}*`, '--tags'] };
  });
}

/**
 * Fetch the commit `oid` (and what it needs) into the mirror without naming it in any ref: git-resource's
 * partial clone fetches a version it lacks the moment `git cat-file -e` asks for it, so a version the branch
 * no longer reaches (a force-push, another branch) still bounds the check. False when the remote refuses.
 */
export async function fetchCommit(remote: RemoteAccess, gitDir: string, oid: string): Promise<boolean> {
  return withCacheRepositoryLock(gitDir, async () => {
    try {
      await fetchRefs(remote, gitDir, [oid]);
    } catch (error) {
      if (error instanceof SiggateError) return false;
      throw error;
    }
    return (await peelCommit(gitDir, oid)) === oid;
  });
}

/** A branch the remote does not have: a configuration error naming it and what the remote has. */
async function missingBranch(remote: RemoteAccess, gitDir: string, branch: string, cause: Error | null): Promise<UsageError> {
  const heads = [...(await listRemoteRefs(remote, gitDir, ['refs/heads/*'])).keys()].map((ref) => ref.slice('refs/heads/'.length));
  const known = heads.length > 0 ? `; it has ${heads.slice(0, 10).join(', ')}${heads.length > 10 ? ', …' : ''}` : '';
  return new UsageError(`branch ${branch} not found on the remote ${remote.shown}${known}`, cause ? { cause } : {});
}

/** A tag in the mirror: its name, the commit it peels to, its own object, whether that is an annotated tag object. */
export interface TagEntry {
  name: string;
  commit: string;
  /** The tag object (annotated) or the commit (lightweight) the ref points at. */
  object: string;
  annotated: boolean;
}

/** Narrowing of {@link listTags}: only the tags whose commit contains this commit (`git tag --contains`). */
export interface TagQuery {
  contains?: string;
}

/**
 * The tags that are versions of a tag-mode source, oldest first (creation date, then name), as git-resource
 * lists them: `tag_filter` is a `git tag --list` glob (`*` also matches `/`: `release*` matches `release/2.0`),
 * `tag_regex` a POSIX ERE matched against the whole name by `grep -Ex`; with `source.branch`, only tags merged
 * into that branch (a tag only on another branch is not a version). Tags of trees or blobs are never versions.
 */
export async function listTags(gitDir: string, source: ResourceSource, query: TagQuery = {}): Promise<TagEntry[]> {
  const merged = source.branch ? ['--merged', mirroredBranchRef(source.branch)] : [];
  const contains = query.contains ? ['--contains', query.contains] : [];
  const format = '%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)';
  const pattern = source.tagFilter ? [source.tagFilter] : [];
  // --no-column: a `column.ui` in the user's git_config would otherwise join the names on one line
  const out = await git(['tag', '--list', '--no-column', '--sort=creatordate', `--format=${format}`, ...merged, ...contains, '--end-of-options', ...pattern], gitDir);
  const tags: TagEntry[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [name = '', type, object = '', peeledType, peeled = ''] = line.split('\0');
    if (type === 'commit') tags.push({ name, commit: object, object, annotated: false });
    else if (type === 'tag' && peeledType === 'commit') tags.push({ name, commit: peeled, object, annotated: true });
    else if (type === 'tag' && peeledType === 'tag') {
      // a tag of a tag: git-resource peels it to the commit (`git rev-list -n 1 TAG`)
      const commit = await peelCommit(gitDir, object);
      if (commit) tags.push({ name, commit, object, annotated: true });
    }
  }
  if (!source.tagRegex) return tags;
  const selected = new Set(await matchTagRegex(tags.map((tag) => tag.name), source.tagRegex));
  return tags.filter((tag) => selected.has(tag.name));
}

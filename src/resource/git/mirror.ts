import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { withCacheRepositoryLock } from '../../git/cache-repo.js';
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
}

/** A stable path per uri and branch under the cache dir, so that repeated checks fetch incrementally. */
export function mirrorPath(cacheDir: string, source: ResourceSource): string {
  const key = createHash('sha256').update(`${source.uri}\0${source.branch ?? ''}`).digest('hex').slice(0, 24);
  return join(cacheDir, key);
}

/**
 * Create the mirror if needed and fetch the branch (or, in tag mode, every tag) into it, holding the
 * mirror's lock: the runs of one worker share the mirror and take turns.
 */
export async function updateMirror(cacheDir: string, source: ResourceSource, remote: RemoteAccess): Promise<Mirror> {
  const gitDir = mirrorPath(cacheDir, source);
  const tipRef = source.branch ? `refs/heads/${source.branch}` : DEFAULT_TIP_REF;
  const branchSpec = usesTags(source) ? [] : [`+${source.branch ? tipRef : 'HEAD'}:${tipRef}`];
  // A trust root given by name is most likely a tag: fetch tags so that it resolves.
  const since = source.range.since;
  const wantsTags = usesTags(source) || (since !== null && !/^[0-9a-f]{40,64}$/.test(since));
  const refspecs = [...branchSpec, ...(wantsTags ? ['+refs/tags/*:refs/tags/*'] : [])];
  return withCacheRepositoryLock(gitDir, async () => {
    try {
      await fetchRefs(remote, gitDir, refspecs, { prune: true });
    } catch (error) {
      if (error instanceof UsageError && source.branch) throw await missingBranch(remote, gitDir, source.branch, error);
      throw error;
    }
    if (usesTags(source)) return { gitDir, tip: null };
    return { gitDir, tip: (await git(['rev-parse', '--verify', `${tipRef}^{commit}`], gitDir)).trim() };
  });
}

/** A branch the remote does not have: a configuration error naming it and what the remote has. */
async function missingBranch(remote: RemoteAccess, gitDir: string, branch: string, cause: Error): Promise<UsageError> {
  const heads = [...(await listRemoteRefs(remote, gitDir, ['refs/heads/*'])).keys()].map((ref) => ref.slice('refs/heads/'.length));
  const known = heads.length > 0 ? `; it has ${heads.slice(0, 10).join(', ')}${heads.length > 10 ? ', …' : ''}` : '';
  return new UsageError(`branch ${branch} not found on the remote ${remote.shown}${known}`, { cause });
}

/** A tag in the mirror: its name, the commit it peels to, whether it is an annotated tag object. */
export interface TagEntry {
  name: string;
  commit: string;
  annotated: boolean;
}

/** Tags matching the source's filter, oldest first (by creation date, then name). */
export async function listTags(gitDir: string, source: ResourceSource): Promise<TagEntry[]> {
  const pattern = source.tagFilter ? [`refs/tags/${source.tagFilter}`] : ['refs/tags'];
  const format = '%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(*objecttype)';
  const out = await git(['for-each-ref', '--sort=refname', '--sort=creatordate', `--format=${format}`, ...pattern], gitDir);
  const tags: TagEntry[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [name = '', type, oid = '', peeled = '', peeledType] = line.split('\0');
    if (type === 'commit') tags.push({ name, commit: oid, annotated: false });
    else if (type === 'tag' && peeledType === 'commit') tags.push({ name, commit: peeled, annotated: true });
  }
  if (!source.tagRegex) return tags;
  const selected = new Set(await matchTagRegex(tags.map((tag) => tag.name), source.tagRegex));
  return tags.filter((tag) => selected.has(tag.name));
}

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, runGit } from '../git/run-git.js';
import { runRemoteGit, type RemoteAccess } from './remote.js';
import { usesTags, type ResourceSource } from './source.js';

/** The ref the remote's default branch is fetched to when the source names no branch. */
const DEFAULT_TIP_REF = 'refs/siggate/tip';

/** A bare cache repository of the source's remote: verification happens here, never in a work tree. */
export interface Mirror {
  gitDir: string;
  /** The branch tip (null in tag mode). */
  tip: string | null;
}

/** A stable path per uri and branch, so that repeated checks fetch incrementally. */
export function mirrorPath(source: ResourceSource): string {
  const key = createHash('sha256').update(`${source.uri}\0${source.branch ?? ''}`).digest('hex').slice(0, 24);
  return join(process.env['SIGGATE_RESOURCE_CACHE'] ?? join(tmpdir(), 'siggate-resource-cache'), key);
}

/** Create the mirror if needed and fetch the branch (or, in tag mode, every tag) into it. */
export async function updateMirror(source: ResourceSource, access: RemoteAccess): Promise<Mirror> {
  const gitDir = mirrorPath(source);
  if (!existsSync(join(gitDir, 'HEAD'))) {
    await mkdir(gitDir, { recursive: true, mode: 0o700 });
    await git(['init', '--quiet', '--bare', gitDir], gitDir);
    await git(['config', 'gc.auto', '0'], gitDir);
  }
  const tipRef = source.branch ? `refs/heads/${source.branch}` : DEFAULT_TIP_REF;
  const branchSpec = usesTags(source) ? [] : [`+${source.branch ? tipRef : 'HEAD'}:${tipRef}`];
  // A trust root given by name is most likely a tag: fetch tags so that it resolves.
  const wantsTags = usesTags(source) || (source.trustRoot !== null && !/^[0-9a-f]{40,64}$/.test(source.trustRoot));
  const refspecs = [...branchSpec, ...(wantsTags ? ['+refs/tags/*:refs/tags/*'] : [])];
  await runRemoteGit(access, ['fetch', '--quiet', '--prune', '--no-tags', '--no-write-fetch-head', '--', access.uri, ...refspecs], gitDir);
  if (usesTags(source)) return { gitDir, tip: null };
  return { gitDir, tip: (await git(['rev-parse', '--verify', `${tipRef}^{commit}`], gitDir)).trim() };
}

/** True when `oid` names a commit present in the repository. */
export async function hasCommit(gitDir: string, oid: string): Promise<boolean> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(oid)) return false;
  return (await runGit(['cat-file', '-e', `${oid}^{commit}`], gitDir)).code === 0;
}

/** True when `ancestor` is reachable from `descendant`. */
export async function isAncestor(gitDir: string, ancestor: string, descendant: string): Promise<boolean> {
  return (await runGit(['merge-base', '--is-ancestor', ancestor, descendant], gitDir)).code === 0;
}

/** The first-parent chain after `from` up to `to`, oldest first. */
export async function firstParentAfter(gitDir: string, from: string, to: string): Promise<string[]> {
  const out = await git(['rev-list', '--first-parent', '--reverse', `${from}..${to}`], gitDir);
  return out.split('\n').filter((line) => line !== '');
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
    if (source.tagRegex && !source.tagRegex.test(name)) continue;
    if (type === 'commit') tags.push({ name, commit: oid, annotated: false });
    else if (type === 'tag' && peeledType === 'commit') tags.push({ name, commit: peeled, annotated: true });
  }
  return tags;
}

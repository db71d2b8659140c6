import { RemoteError } from '../errors.js';
import { lastLine, pushRef, REF_CHANGED, type RemoteGitAccess } from './push.js';
import { redact } from './redact.js';
import { git, gitEnv, runGit } from './run-git.js';

export type { RemoteGitAccess } from './push.js';


/** A tag ref: the object it names (a tag object or a commit) and the commit it peels to. */
export interface TagRef {
  name: string;
  object: string;
  commit: string;
}

/** Every tag of a local repository, by name. */
export async function localTags(repo: string): Promise<Map<string, TagRef>> {
  const out = await git(['for-each-ref', '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)', 'refs/tags/'], repo);
  const tags = new Map<string, TagRef>();
  for (const line of out.split('\n')) {
    const [name, object, peeled] = line.split('\0');
    if (name && object) tags.set(name, { name, object, commit: peeled || object });
  }
  return tags;
}

/** Every tag of a remote (a remote name of `repo`, or a URL), by name, from `git ls-remote`. */
export async function remoteTags(repo: string, remote: string, access?: RemoteGitAccess): Promise<Map<string, TagRef>> {
  const result = await runGit(['ls-remote', '--tags', '--end-of-options', remote], repo, { env: access?.env ?? gitEnv() });
  if (result.code !== 0) throw new RemoteError(redact(`cannot list the tags of ${remote}: ${lastLine(result.stderr)}`, access?.secrets ?? []));
  const tags = new Map<string, TagRef>();
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const [oid, ref] = line.split('\t');
    if (!oid || !ref?.startsWith('refs/tags/')) continue;
    const peeled = ref.endsWith('^{}');
    const name = ref.slice('refs/tags/'.length, peeled ? -3 : undefined);
    const known = tags.get(name);
    if (peeled) tags.set(name, { name, object: known?.object ?? oid, commit: oid });
    else tags.set(name, { name, object: oid, commit: known && known.object !== known.commit ? known.commit : oid });
  }
  return tags;
}

/** Whether `name` is a tag name git accepts. */
export async function isTagName(repo: string, name: string): Promise<boolean> {
  if (name.length === 0 || name.startsWith('-')) return false;
  return (await runGit(['check-ref-format', `refs/tags/${name}`], repo)).code === 0;
}

/** `upToDate`: the remote already had this very object under the name (a byte-identical promotion raced us). */
export type TagPushOutcome = { ok: true; upToDate: boolean } | { ok: false; exists: boolean; reason: string };

/** Pushes a tag object as a new tag: never forced, so an existing tag of that name (a race lost) refuses it. */
export async function pushNewTag(repo: string, remote: string, object: string, name: string, access?: RemoteGitAccess): Promise<TagPushOutcome> {
  const pushed = await pushRef(repo, remote, `${object}:refs/tags/${name}`, access ? { access } : {});
  return pushed.ok ? pushed : { ok: false, exists: REF_CHANGED.test(pushed.reason) || /reference already exists/i.test(pushed.reason), reason: pushed.reason };
}

/** Creates `refs/tags/NAME` only if it does not exist yet; false when it does (a concurrent creation). */
export async function createTagRef(repo: string, name: string, object: string): Promise<boolean> {
  return (await runGit(['update-ref', '--create-reflog', `refs/tags/${name}`, object, ''], repo)).code === 0;
}


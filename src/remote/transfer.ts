import type { TagRef } from '../core/promotion.js';
import { RemoteError, UsageError } from '../core/errors.js';
import { remoteFailure, type RemoteAccess } from './access.js';

/**
 * Fetch `refspecs` from the remote into the repository at `gitDir`: never shallow, no tags unless a refspec
 * names them, nothing written to FETCH_HEAD. A ref the remote does not have is a usage error (exit 2);
 * anything else that fails is the remote's (exit 3).
 */
export async function fetchRefs(remote: RemoteAccess, gitDir: string, refspecs: readonly string[], options: { prune?: boolean } = {}): Promise<void> {
  const prune = options.prune ? ['--prune'] : [];
  const result = await remote.git(['fetch', '--quiet', ...prune, '--no-tags', '--no-write-fetch-head', '--end-of-options', remote.url, ...refspecs], gitDir);
  if (result.code === 0) return;
  if (/couldn't find remote ref|no such remote ref/i.test(result.stderr)) {
    throw new UsageError(remote.redact(`a ref was not found on ${remote.shown}: ${lastLine(result.stderr)}`));
  }
  throw remoteFailure(remote, 'fetching from', result.stderr);
}

/** The remote's refs matching `patterns` (all when none), by name. */
export async function listRemoteRefs(remote: RemoteAccess, cwd: string, patterns: readonly string[] = []): Promise<Map<string, string>> {
  const result = await remote.git(['ls-remote', '--end-of-options', remote.url, ...patterns], cwd);
  if (result.code !== 0) throw remoteFailure(remote, 'listing the refs of', result.stderr);
  const refs = new Map<string, string>();
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const [oid, ref] = line.split('\t');
    if (oid && ref) refs.set(ref, oid);
  }
  return refs;
}

/** The branch the remote's HEAD points at (`refs/heads/main`), or null when it has none. */
export async function remoteDefaultBranch(remote: RemoteAccess, cwd: string): Promise<string | null> {
  const result = await remote.git(['ls-remote', '--symref', '--end-of-options', remote.url, 'HEAD'], cwd);
  if (result.code !== 0) throw remoteFailure(remote, 'reading the default branch of', result.stderr);
  return /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(result.stdout.toString('utf8'))?.[1] ?? null;
}

/** Every tag of the remote, by name, with the commit each peels to. */
export async function remoteTags(remote: RemoteAccess, cwd: string): Promise<Map<string, TagRef>> {
  const tags = new Map<string, TagRef>();
  for (const [ref, oid] of await listRemoteRefs(remote, cwd, ['refs/tags/*'])) {
    if (!ref.startsWith('refs/tags/')) continue;
    const peeled = ref.endsWith('^{}');
    const name = ref.slice('refs/tags/'.length, peeled ? -3 : undefined);
    const known = tags.get(name);
    if (peeled) tags.set(name, { name, object: known?.object ?? oid, commit: oid });
    else tags.set(name, { name, object: oid, commit: known && known.object !== known.commit ? known.commit : oid });
  }
  return tags;
}

/** One ref's line of `git push --porcelain`: pushed (`ok`), already there (`upToDate`), or refused with git's reason. */
export type RefPush = { ok: true; upToDate: boolean } | { ok: false; reason: string };

/**
 * Push one `src:refs/…` refspec, never forced (a `lease` makes it a compare-and-swap on that ref).
 * A refusal of the ref is a result; a push that never got that far (network, authentication) is a RemoteError.
 */
export async function pushRef(remote: RemoteAccess, repo: string, refspec: string, options: { lease?: string } = {}): Promise<RefPush> {
  const ref = refspec.slice(refspec.indexOf(':') + 1);
  const lease = options.lease ? [`--force-with-lease=${ref}:${options.lease}`] : [];
  const result = await remote.git(['push', '--porcelain', '--quiet', ...lease, '--end-of-options', remote.url, refspec], repo);
  const line = result.stdout.toString('utf8').split('\n').find((l) => l.includes(`:${ref}\t`)) ?? '';
  const [flag, , summary = ''] = line.split('\t');
  if (result.code === 0 && flag !== '!') return { ok: true, upToDate: flag === '=' };
  if (flag === '!') return { ok: false, reason: remote.redact(summary || lastLine(result.stderr)) };
  throw new RemoteError(remote.redact(`cannot push ${ref} to ${remote.shown}: ${lastLine(result.stderr)}`));
}

/** Reasons git gives when the remote ref is no longer what the pusher saw: it moved, or was created, meanwhile. */
export const REF_CHANGED = /stale info|non-fast-forward|fetch first|already exists|failed to update ref|cannot lock ref|failed to lock/i;

/** `upToDate`: the remote already had this very object under the name (a byte-identical promotion raced us). */
export type TagPushOutcome = { ok: true; upToDate: boolean } | { ok: false; exists: boolean; reason: string };

/** Push a tag object as a new tag: never forced, so an existing tag of that name (a race lost) refuses it. */
export async function pushNewTag(remote: RemoteAccess, repo: string, object: string, name: string): Promise<TagPushOutcome> {
  const pushed = await pushRef(remote, repo, `${object}:refs/tags/${name}`);
  return pushed.ok ? pushed : { ok: false, exists: REF_CHANGED.test(pushed.reason) || /reference already exists/i.test(pushed.reason), reason: pushed.reason };
}

/** The last non-empty line of git's stderr, for messages. */
export const lastLine = (text: string): string => text.trim().split('\n').filter(Boolean).at(-1) ?? 'no message';

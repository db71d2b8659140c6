import { readFile } from 'node:fs/promises';
import { GateClosedError, UsageError } from '../../core/errors.js';
import { isValidTagName, peelCommit } from '../../git/refs.js';
import { git, runGit } from '../../git/run-git.js';
import type { RemoteAccess } from '../../remote/access.js';
import { listRemoteRefs } from '../../remote/transfer.js';
import { FALLBACK_IDENTITY } from '../../signing/signer.js';
import { shownValue } from '../protocol/json.js';

/** The tag name from params.tag's file (git-resource: `$(cat FILE)`), with params.tag_prefix before it. */
export async function readTagName(repo: string, file: string, prefix: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new UsageError(`cannot read the params.tag file: ${(error as Error).message}`, { cause: error });
  });
  const name = `${prefix}${text.trim()}`;
  if (name === prefix || !(await isValidTagName(repo, name))) throw new UsageError(`${shownValue(name)} (from params.tag) is not a valid tag name`);
  return name;
}

/**
 * `git tag -f NAME COMMIT` (with `-a -F FILE` for params.annotate), as git-resource tags: an existing local
 * tag of that name moves. The tagger is git's identity, or siggate's where the container has none.
 */
export async function createTag(repo: string, name: string, commit: string, annotateFile: string | null): Promise<void> {
  const annotate = annotateFile === null ? [] : ['-a', '-F', annotateFile];
  await git([...(await identityArgs(repo)), 'tag', '-f', ...annotate, '--', name, commit], repo);
}

/** `-c user.name=… -c user.email=…` when git has no identity in `repo`: commits and annotated tags need one. */
export async function identityArgs(repo: string): Promise<string[]> {
  const configured = async (key: string): Promise<boolean> => (await runGit(['config', '--get', key], repo)).code === 0;
  if ((await configured('user.name')) && (await configured('user.email'))) return [];
  return ['-c', `user.name=${FALLBACK_IDENTITY.name}`, '-c', `user.email=${FALLBACK_IDENTITY.email}`];
}

/** A local tag the push would carry that the verified head does not vouch for. */
interface StrayTag {
  name: string;
  object: string;
}

/**
 * `out` pushes every local tag, as git-resource's `git push --tags` does, so every local tag must point
 * into what passed the gate. A tag whose commit is the pushed head or one of its ancestors is vouched for
 * by the head's verdict; any other tag must already be on the remote with the same object (pushing it
 * changes nothing) or have its own commit pass the gate (`verify`); otherwise nothing is pushed.
 */
export async function checkLocalTags(
  repo: string,
  head: string,
  remote: RemoteAccess,
  verify: (commit: string, ref: string) => Promise<boolean>,
): Promise<void> {
  const stray = await strayTags(repo, head);
  if (stray.length === 0) return;
  const remoteRefs = await listRemoteRefs(remote, repo, ['refs/tags/*']);
  for (const tag of stray) {
    if (remoteRefs.get(`refs/tags/${tag.name}`) === tag.object) continue;
    const commit = await peelCommit(repo, `refs/tags/${tag.name}`);
    if (!commit) throw new GateClosedError(`the local tag ${shownValue(tag.name)} does not point at a commit, so the gate cannot vouch for it; nothing was pushed (delete it from the repository, or it would be pushed with the others)`);
    if (!(await verify(commit, `refs/tags/${tag.name}`))) {
      throw new GateClosedError(`the local tag ${shownValue(tag.name)} points at ${commit}, which is not in the pushed history and does not pass the gate; nothing was pushed`);
    }
  }
}

/** Local tags whose target is not reachable from `head`. */
async function strayTags(repo: string, head: string): Promise<StrayTag[]> {
  const list = async (extra: string[]): Promise<StrayTag[]> =>
    (await git(['for-each-ref', '--format=%(objectname) %(refname)', ...extra, 'refs/tags/'], repo))
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ object: line.slice(0, line.indexOf(' ')), name: line.slice(line.indexOf(' ') + 1 + 'refs/tags/'.length) }));
  const merged = new Set((await list([`--merged=${head}`])).map((tag) => tag.name));
  return (await list([])).filter((tag) => !merged.has(tag.name));
}

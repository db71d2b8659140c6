import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RemoteError, UsageError } from '../../core/errors.js';
import { runGit, type GitResult } from '../../git/run-git.js';
import type { RemoteAccess, RemoteSpec } from '../../remote/access.js';
import { parseRemote } from '../../remote/url.js';
import type { Log } from '../protocol/types.js';
import { deepenUntilFound } from './in-deepen.js';
import { unlockKey } from './setup.js';
import { remoteSpecOf } from './source-remote.js';
import type { ResourceSource } from './source.js';

/**
 * A submodule's URL as git resolves it: `./x` and `../x` are relative to the superproject's remote (one
 * `../` drops one path component, or the path after `host:` in the scp form); anything else as written.
 */
export function resolveSubmoduleUrl(superUrl: string, url: string): string {
  if (!url.startsWith('./') && !url.startsWith('../')) return url;
  let base = superUrl.replace(/\/+$/, '');
  let rest = url;
  for (;;) {
    if (rest.startsWith('./')) rest = rest.slice(2);
    else if (rest.startsWith('../')) {
      rest = rest.slice(3);
      const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(base)?.[0].length ?? 0;
      const cut = Math.max(base.lastIndexOf('/'), base.includes('://') ? -1 : base.lastIndexOf(':'));
      base = cut >= scheme ? base.slice(0, cut + (base[cut] === ':' ? 1 : 0)) : base;
    } else break;
  }
  return base.endsWith(':') ? `${base}${rest}` : `${base}/${rest}`;
}

/**
 * How to reach a submodule's remote: an ssh key from `submodule_credentials` for that URL (else the
 * source's key: ssh authentication hands the server nothing it can reuse); HTTPS credentials from
 * `submodule_credentials` for the host, else the source's username and password only on the source's own
 * host — they are never sent to a host the pipeline did not name.
 */
export async function submoduleRemoteSpec(rawUrl: string, url: string, source: ResourceSource, knownHostsFile: string): Promise<RemoteSpec> {
  const credentials = source.submoduleCredentials;
  const ssh = credentials.find((c) => c.kind === 'ssh' && (c.url === rawUrl || c.url === url));
  const key = ssh?.kind === 'ssh' ? await unlockKey(ssh.privateKey, ssh.privateKeyPassphrase, 'source.submodule_credentials private_key') : source.privateKey;
  const spec = { ...remoteSpecOf(source, knownHostsFile, key), url, auth: {} };
  if (parseRemote(url).kind !== 'http') return spec;
  const parsed = new URL(url);
  const https = credentials.find((c) => c.kind === 'https' && (c.host === parsed.hostname || c.host === parsed.host));
  if (https?.kind === 'https') return { ...spec, auth: { username: https.username, password: https.password } };
  const own = /^https?:\/\//i.test(source.uri) ? new URL(source.uri).host : null;
  return own === parsed.host ? { ...spec, auth: remoteSpecOf(source, knownHostsFile).auth ?? {} } : spec;
}

/** git's policy for submodule transports (GIT_PROTOCOL_FROM_USER=0: `protocol.file.allow=user` refuses file://). */
function submoduleGit(remote: RemoteAccess, args: readonly string[], cwd: string): Promise<GitResult> {
  return runGit(args, cwd, { env: { ...remote.env, GIT_PROTOCOL_FROM_USER: '0' } });
}

async function fetchInto(remote: RemoteAccess, dir: string, specs: readonly string[], extra: readonly string[] = []): Promise<GitResult> {
  return submoduleGit(remote, ['-c', 'gc.auto=0', '-c', 'maintenance.auto=false', 'fetch', '--quiet', '--no-write-fetch-head', ...extra, '--end-of-options', remote.url, ...specs], dir);
}

async function mustFetch(remote: RemoteAccess, dir: string, specs: readonly string[], extra: readonly string[] = []): Promise<void> {
  const result = await fetchInto(remote, dir, specs, extra);
  if (result.code !== 0) throw new RemoteError(remote.redact(`fetching the submodule from ${remote.shown} failed: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`));
}

/** The branch the submodule remote's HEAD names, as `git clone` picks it. */
async function defaultBranchOf(remote: RemoteAccess, dir: string): Promise<string> {
  const result = await submoduleGit(remote, ['ls-remote', '--symref', '--end-of-options', remote.url, 'HEAD'], dir);
  const branch = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(result.stdout.toString('utf8'))?.[1];
  if (result.code !== 0 || !branch) throw new RemoteError(remote.redact(`cannot read the default branch of the submodule remote ${remote.shown}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`));
  return branch;
}

/** What to check out in a submodule: its pinned commit, or with `submodule_remote` its remote's head. */
export interface SubmoduleFetch {
  /** The submodule's git directory (`.git/modules/NAME`), where `shallow` is. */
  gitDir: string;
  pin: string;
  depth: number;
  remoteHead: boolean;
  log: Log;
}

/**
 * Bring the submodule's commit into the repository at `dir` and return the commit to check out. Pinned:
 * without depth the pinned id is fetched by id (its history, nothing else); with depth, as git-resource
 * does, the remote's default branch is fetched N deep and deepened until the pin is in it — a pin that
 * branch does not reach fails with git's message. `submodule_remote`: the default branch's head.
 */
export async function fetchSubmoduleCommit(remote: RemoteAccess, dir: string, request: SubmoduleFetch): Promise<string> {
  const depthArgs = request.depth > 0 ? ['--depth', String(request.depth)] : [];
  const has = async (rev: string): Promise<boolean> => (await runGit(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], dir)).code === 0;
  if (request.depth === 0 && !request.remoteHead) {
    if ((await fetchInto(remote, dir, [request.pin])).code === 0 && (await has(request.pin))) return request.pin;
    // a server that refuses ids it does not advertise: what a clone gets, then look for the pin there
    await mustFetch(remote, dir, ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*']);
    if (await has(request.pin)) return request.pin;
    throw unreadable(request);
  }
  const branch = await defaultBranchOf(remote, dir);
  const spec = `+refs/heads/${branch}:refs/remotes/origin/${branch}`;
  await mustFetch(remote, dir, [spec], depthArgs);
  await runGit(['symbolic-ref', 'refs/remotes/origin/HEAD', `refs/remotes/origin/${branch}`], dir);
  if (request.remoteHead) return (await runGit(['rev-parse', `refs/remotes/origin/${branch}`], dir)).stdout.toString('utf8').trim();
  await deepenUntilFound(request.depth, {
    shown: request.pin,
    has: (n) => has(`${request.pin}~${n}`),
    shallow: async () => existsSync(join(request.gitDir, 'shallow')),
    deepen: (by) => mustFetch(remote, dir, [spec], ['--deepen', String(by)]),
    unshallow: () => mustFetch(remote, dir, [spec], ['--unshallow']),
  }, request.log);
  if (await has(request.pin)) return request.pin;
  throw unreadable(request);
}

function unreadable(request: SubmoduleFetch): RemoteError {
  // git's own words (newer git), which git-resource's users grep for
  request.log(`fatal: unable to read tree (${request.pin})`);
  return new RemoteError(`the submodule's remote does not have the commit the verified tree pins (${request.pin})`);
}

/** A submodule name git accepts as a directory under `.git/modules` (CVE-2018-11235: no `..`, no absolute path). */
export function checkSubmoduleName(name: string): void {
  if (name === '' || name.startsWith('/') || name.split(/[/\\]/).some((part) => part === '..' || part === '') || name.includes('\0')) {
    throw new UsageError(`.gitmodules names a submodule ${JSON.stringify(name.slice(0, 100))} that git would refuse`);
  }
}

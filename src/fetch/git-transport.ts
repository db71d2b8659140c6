import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { gitEnv, runGit } from '../git/run-git.js';
import { RemoteError } from '../errors.js';
import { redactUrl } from './remote-url.js';
import { BRANCH_NAMESPACE, type RemoteSnapshot } from './quarantine.js';

/** What the system-git transport needs: the remote, the extra refs to fetch, and an optional SSH key. */
export interface GitFetchRequest {
  url: string;
  /** Full refs outside refs/heads and refs/tags, e.g. `refs/pull/1/head`. */
  extraRefs: readonly string[];
  /** Whether the remote's default branch must be looked up. */
  needDefaultBranch: boolean;
  sshPrivateKey?: string | undefined;
}

/**
 * Fetch every branch, every tag and the extra refs into the quarantine with the system git (ssh, file://,
 * local paths). Full history, never shallow: range modes walk back to the trust root.
 */
export async function fetchWithGit(quarantine: string, request: GitFetchRequest): Promise<RemoteSnapshot> {
  return withSshKey(request.sshPrivateKey, async (env) => {
    const refspecs = [`+refs/heads/*:${BRANCH_NAMESPACE}*`, '+refs/tags/*:refs/tags/*', ...request.extraRefs.map(extraRefspec)];
    const args = ['fetch', '--quiet', '--prune', '--no-tags', '--no-write-fetch-head', '--', request.url, ...refspecs];
    const result = await runGit(args, quarantine, { env: gitEnv(env) });
    if (result.code !== 0) throw fetchFailure(request.url, result.stderr);
    const defaultBranch = request.needDefaultBranch ? await lookUpDefaultBranch(quarantine, request.url, env) : null;
    return { defaultBranch };
  });
}

/** `refs/pull/1/head` is stored as `refs/siggate/extra/pull/1/head`. */
export function extraRefspec(ref: string): string {
  return `+${ref}:${extraRefName(ref)}`;
}

export function extraRefName(ref: string): string {
  return `refs/siggate/extra/${ref.slice('refs/'.length)}`;
}

async function lookUpDefaultBranch(quarantine: string, url: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const result = await runGit(['ls-remote', '--symref', '--', url, 'HEAD'], quarantine, { env: gitEnv(env) });
  if (result.code !== 0) throw fetchFailure(url, result.stderr);
  const match = /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(result.stdout.toString('utf8'));
  return match?.[1] ?? null;
}

function fetchFailure(url: string, stderr: string): Error {
  const detail = stderr.split('\n').map((line) => line.trim()).filter(Boolean).slice(0, 2).join(' ');
  if (/couldn't find remote ref/i.test(stderr)) return new UsageError(`ref not found on ${redactUrl(url)}: ${detail}`);
  return new RemoteError(`fetching from ${redactUrl(url)} failed: ${detail}`);
}

/** Run `body` with GIT_SSH_COMMAND pointing at a 0600 copy of the key, removed afterwards. */
async function withSshKey<T>(key: string | undefined, body: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  if (!key) return body({});
  const dir = await mkdtemp(join(tmpdir(), 'siggate-ssh-'));
  try {
    const path = join(dir, 'id');
    await writeFile(path, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
    await chmod(path, 0o600);
    // git runs GIT_SSH_COMMAND through a shell: quote the path; mkdtemp names hold no quote
    const command = `ssh -i '${path}' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes`;
    return await body({ GIT_SSH_COMMAND: command });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

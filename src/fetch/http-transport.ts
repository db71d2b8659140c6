import * as fs from 'node:fs';
import type { HttpClient } from 'isomorphic-git';
import { UsageError } from '../errors.js';
import { git } from '../git/run-git.js';
import { RemoteError } from '../errors.js';
import { BRANCH_NAMESPACE, isFullOid, type RemoteSnapshot } from './quarantine.js';
import { extraRefspec } from './git-transport.js';
import { scrubSecrets, type RemoteAuth } from './remote-url.js';

/** What the HTTP(S) transport needs: a URL without credentials, the credentials, and the user's ref. */
export interface HttpFetchRequest {
  url: string;
  auth: RemoteAuth;
  ref: string | undefined;
  extraRefs: readonly string[];
}

const REMOTE_NAME = 'siggate';
/** A server that stops sending for this long is treated as dead (socket idle time, not total time). */
const IDLE_TIMEOUT_MS = 120_000;

/**
 * Fetch every branch and tag (and the extra refs) over smart HTTP with isomorphic-git into the quarantine.
 * No URL is stored in the quarantine's config; credentials reach the server only through `onAuth`.
 */
export async function fetchWithHttp(quarantine: string, request: HttpFetchRequest): Promise<RemoteSnapshot> {
  await configureRefspecs(quarantine, request.extraRefs);
  const [{ default: isogit }, { default: http }] = await Promise.all([import('isomorphic-git'), import('isomorphic-git/http/node')]);
  try {
    const result = await isogit.fetch({
      fs,
      http: withIdleTimeout(http),
      gitdir: quarantine,
      url: request.url,
      remote: REMOTE_NAME,
      ...(request.ref !== undefined && !isFullOid(request.ref) ? { ref: request.ref } : {}),
      singleBranch: false,
      tags: true,
      prune: true,
      pruneTags: true,
      onAuth: () => credentialsFor(request.auth),
    });
    return { defaultBranch: result.defaultBranch };
  } catch (error) {
    throw describeHttpFailure(error, request);
  }
}

function withIdleTimeout(client: HttpClient): HttpClient {
  return { request: (request) => client.request({ ...request, fetchOptions: { ...request.fetchOptions, timeout: IDLE_TIMEOUT_MS } }) };
}

async function configureRefspecs(quarantine: string, extraRefs: readonly string[]): Promise<void> {
  const key = `remote.${REMOTE_NAME}.fetch`;
  await git(['config', '--replace-all', key, `+refs/heads/*:${BRANCH_NAMESPACE}*`], quarantine);
  for (const ref of extraRefs) await git(['config', '--add', key, extraRefspec(ref)], quarantine);
}

/** Basic auth; a token is the password (with `x-access-token` as the user unless one is given). Nothing: cancel. */
function credentialsFor(auth: RemoteAuth): { username: string; password: string } | { cancel: true } {
  if (auth.token) return { username: auth.username ?? 'x-access-token', password: auth.token };
  if (auth.username !== undefined || auth.password !== undefined) return { username: auth.username ?? '', password: auth.password ?? '' };
  return { cancel: true };
}

function describeHttpFailure(error: unknown, request: HttpFetchRequest): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const status = (error as { data?: { statusCode?: unknown } } | null)?.data?.statusCode;
  if (code === 'NotFoundError' && request.ref !== undefined) {
    return new UsageError(`${request.ref} was not found on ${request.url}`);
  }
  if (code === 'UserCanceledError' || status === 401 || status === 403) {
    const how = hasCredentials(request.auth) ? 'the credentials were refused' : 'it requires credentials (set SIGGATE_GIT_TOKEN or a username and password)';
    return new RemoteError(`authentication failed for ${request.url}: ${how}${typeof status === 'number' ? ` (HTTP ${status})` : ''}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RemoteError(`fetching from ${request.url} failed: ${scrubSecrets(message, request.auth)}`, { cause: error });
}

function hasCredentials(auth: RemoteAuth): boolean {
  return Boolean(auth.token || auth.username || auth.password);
}

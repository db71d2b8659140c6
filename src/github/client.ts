import { Octokit } from '@octokit/rest';
import { RemoteError, UsageError } from '../core/errors.js';

/** How long to wait before each retry of a request GitHub answered with 5xx or never answered. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [500, 1500, 4000];

export interface GitHubClientOptions {
  /** A token with read access to the pull request (and `contents: write` for `--delete-branch`). */
  token: string;
  /** `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise. */
  apiUrl?: string;
  retryDelaysMs?: readonly number[];
  /** Waits between retries; injected so that library users can bound the total wait. */
  sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The token from `GITHUB_TOKEN` or `GH_TOKEN`; exit 2 naming both when neither is set. */
export function tokenFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  const token = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim();
  if (!token) throw new UsageError('no GitHub token: set GITHUB_TOKEN or GH_TOKEN to a token that can read the pull request');
  return token;
}

interface RequestFailure {
  status: number;
  message: string;
  headers: Record<string, string | number | undefined>;
  /** Whether an HTTP response arrived at all (octokit reports a failed connection as status 500 without one). */
  answered: boolean;
}

function failureOf(error: unknown): RequestFailure | null {
  if (typeof error !== 'object' || error === null || !('status' in error) || typeof error.status !== 'number') return null;
  const response = 'response' in error ? (error.response as { headers?: Record<string, string | number | undefined> } | undefined) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return { status: error.status, message, headers: response?.headers ?? {}, answered: response !== undefined };
}

function isTransient(failure: RequestFailure | null): boolean {
  return failure !== null && (failure.status >= 500 || !failure.answered);
}

/**
 * An Octokit whose requests are retried on 5xx and on connection failures, and whose failures
 * become siggate errors with a message that says what to do (never the token).
 */
export function createGitHubClient(options: GitHubClientOptions): Octokit {
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'siggate',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const wait = options.sleep ?? sleep;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const failure = failureOf(error);
        if (isTransient(failure) && attempt < delays.length) {
          await wait(delays[attempt] ?? 0);
          continue;
        }
        throw translateGitHubError(error, `${requestOptions.method} ${String(requestOptions.url)}`, attempt);
      }
    }
  });
  return octokit;
}

/** A GitHub failure as a siggate error: 401/403/5xx/unreachable exit 3, a missing pull request or repository exit 2. */
export function translateGitHubError(error: unknown, what: string, retries = 0): Error {
  const failure = failureOf(error);
  if (!failure) return error instanceof Error ? error : new RemoteError(`GitHub request ${what} failed: ${String(error)}`);
  const detail = failure.message.split(' - ')[0]?.trim() || `HTTP ${failure.status}`;
  const after = retries > 0 ? ` (after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
  if (!failure.answered) return new RemoteError(`cannot reach GitHub for ${what}${after}: ${detail}`, { cause: error });
  if (failure.status === 401) {
    return new RemoteError(`GitHub refused the token (401 ${detail}): check GITHUB_TOKEN or GH_TOKEN`, { cause: error });
  }
  if ((failure.status === 403 || failure.status === 429) && isRateLimited(failure)) {
    return new RemoteError(`GitHub API rate limit exhausted${resetOf(failure)}: wait, or use a token with a higher limit`, { cause: error });
  }
  if (failure.status === 403) {
    return new RemoteError(`GitHub forbade ${what} (403 ${detail}): the token lacks permission for this repository`, { cause: error });
  }
  if (failure.status === 404) {
    return new UsageError(`GitHub has no ${what} (404): check --repo and the pull request number, and that the token can see the repository`, { cause: error });
  }
  return new RemoteError(`GitHub request ${what} failed${after}: ${failure.status} ${detail}`, { cause: error });
}

function isRateLimited(failure: RequestFailure): boolean {
  return String(failure.headers['x-ratelimit-remaining']) === '0' || failure.headers['retry-after'] !== undefined || /rate limit/i.test(failure.message);
}

function resetOf(failure: RequestFailure): string {
  const reset = Number(failure.headers['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return ` until ${new Date(reset * 1000).toISOString()}`;
  const retryAfter = Number(failure.headers['retry-after']);
  return Number.isFinite(retryAfter) ? ` for ${retryAfter} s` : '';
}

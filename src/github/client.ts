import { Octokit } from '@octokit/rest';
import { RemoteError, UsageError } from '../core/errors.js';
import { proxiedFetch } from '../remote/proxy.js';

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
  /** Rate-limit waits longer than this are not waited out: the run stops and says how long to wait. Default 120 s. */
  maxRateLimitWaitMs?: number;
  /** How many times a rate-limited request is retried after waiting. Default 2. */
  rateLimitRetries?: number;
  /** The clock for `x-ratelimit-reset`; default `Date.now`. */
  now?: () => number;
  /** Proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); default the process environment. */
  env?: NodeJS.ProcessEnv;
}

/** The REST API version siggate's reading of GitHub's answers is written against. */
export const GITHUB_API_VERSION = '2022-11-28';

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
  const fetch = proxiedFetch(options.env ?? process.env);
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'siggate',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    request: { headers: { 'x-github-api-version': GITHUB_API_VERSION }, ...(fetch ? { fetch } : {}) },
  });
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const wait = options.sleep ?? sleep;
  const now = options.now ?? Date.now;
  const maxWait = options.maxRateLimitWaitMs ?? 120_000;
  const limitRetries = options.rateLimitRetries ?? 2;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    let limited = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const failure = failureOf(error);
        if (isTransient(failure) && attempt < delays.length) {
          await wait(delays[attempt] ?? 0);
          continue;
        }
        const pause = failure && isRateLimitFailure(failure) ? rateLimitWaitMs(failure, now()) : null;
        if (pause !== null && pause <= maxWait && limited < limitRetries) {
          limited += 1;
          await wait(pause);
          continue;
        }
        throw translateGitHubError(error, `${requestOptions.method} ${String(requestOptions.url)}`, attempt, now());
      }
    }
  });
  return octokit;
}

/**
 * Whether GitHub refused for a reason that is not about the resource — a rate limit, or SAML single
 * sign-on — so that a caller that treats 403 as "not visible to this token" does not swallow it.
 */
export function isThrottleOrSso(error: unknown): boolean {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const failure = failureOf(e);
    if (failure?.answered) return isRateLimitFailure(failure) || /required/i.test(String(failure.headers['x-github-sso'] ?? ''));
  }
  return false;
}

/** The HTTP status GitHub answered with, from an error of this client (or Octokit's own); null when none arrived. */
export function githubStatusOf(error: unknown): number | null {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const failure = failureOf(e);
    if (failure?.answered) return failure.status;
  }
  return null;
}

/** A GitHub failure as a siggate error: 401/403/5xx/unreachable exit 3, a missing pull request or repository exit 2. */
export function translateGitHubError(error: unknown, what: string, retries = 0, nowMs = Date.now()): Error {
  const failure = failureOf(error);
  if (!failure) return error instanceof Error ? error : new RemoteError(`GitHub request ${what} failed: ${String(error)}`);
  const detail = failure.message.split(' - ')[0]?.trim() || `HTTP ${failure.status}`;
  const after = retries > 0 ? ` (after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
  if (!failure.answered) return new RemoteError(`cannot reach GitHub for ${what}${after}: ${detail}`, { cause: error });
  if (failure.status === 401) {
    return new RemoteError(`GitHub refused the token (401 ${detail}): check GITHUB_TOKEN or GH_TOKEN`, { cause: error });
  }
  if (isRateLimitFailure(failure)) {
    const kind = /secondary/i.test(failure.message) || failure.headers['retry-after'] !== undefined ? 'secondary rate limit' : 'API rate limit';
    const seconds = Math.ceil(rateLimitWaitMs(failure, nowMs) / 1000);
    return new RemoteError(`GitHub's ${kind} hit${after}: wait ${seconds} s${resetOf(failure)} before running again, or use a token with a higher limit`, { cause: error });
  }
  const sso = String(failure.headers['x-github-sso'] ?? '');
  if (failure.status === 403 && /required/i.test(sso)) {
    const url = /url=(\S+)/.exec(sso)?.[1];
    return new RemoteError(`GitHub refused ${what}: the organization enforces SAML single sign-on and the token is not authorized for it${url ? `; authorize it at ${url}` : ''}`, { cause: error });
  }
  if (failure.status === 403) {
    const accepted = failure.headers['x-accepted-github-permissions'];
    const needs = accepted ? `; GitHub accepts a token with ${String(accepted)}` : '';
    return new RemoteError(`GitHub forbade ${what} (403 ${detail}): the token lacks permission for this repository${needs}`, { cause: error });
  }
  if (failure.status === 404) {
    return new UsageError(`GitHub has no ${what} (404): check --repo and the pull request number, and that the token can see the repository`, { cause: error });
  }
  return new RemoteError(`GitHub request ${what} failed${after}: ${failure.status} ${detail}`, { cause: error });
}

/** A primary (remaining 0) or secondary (retry-after, or GitHub's message) rate limit, answered 403 or 429. */
function isRateLimitFailure(failure: RequestFailure): boolean {
  if (failure.status !== 403 && failure.status !== 429) return false;
  return String(failure.headers['x-ratelimit-remaining']) === '0' || failure.headers['retry-after'] !== undefined || /rate limit/i.test(failure.message);
}

/**
 * How long GitHub asks to wait: `retry-after` seconds; else, with no requests remaining, until
 * `x-ratelimit-reset`; else a minute, as GitHub's documentation says for a secondary limit without headers.
 */
function rateLimitWaitMs(failure: RequestFailure, nowMs: number): number {
  const retryAfter = Number(failure.headers['retry-after']);
  if (failure.headers['retry-after'] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  const reset = Number(failure.headers['x-ratelimit-reset']);
  if (String(failure.headers['x-ratelimit-remaining']) === '0' && Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - nowMs) + 1000;
  return 60_000;
}

function resetOf(failure: RequestFailure): string {
  const reset = Number(failure.headers['x-ratelimit-reset']);
  return String(failure.headers['x-ratelimit-remaining']) === '0' && Number.isFinite(reset) && reset > 0 ? ` (the limit resets at ${new Date(reset * 1000).toISOString()})` : '';
}

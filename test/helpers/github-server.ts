// A fake of the few GitHub REST endpoints `merge-sign` calls, on 127.0.0.1: tests point Octokit's `baseUrl` at it,
// arrange pulls, reviews, statuses and branch protection in `repo`, and inject HTTP faults per route.
import { spawn } from 'node:child_process';
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { branchBody, checkRunBody, commitBody, permissionBody, protectionBody, reviewBody, ruleBody } from './github-bodies.js';
import { associationOf, combinedStatus, DOCS, membershipReply, NOT_FOUND, paged, protectionOf, pullReply, type Reply } from './github-replies.js';
import { schemaErrors, type OperationKey } from './github-schema.js';

/** `type` defaults to 'User'. */
export interface FakeUser { login: string; type?: 'User' | 'Bot' | 'Organization' }
export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  draft: boolean;
  merged?: boolean;
  title: string;
  /** The PR author. */
  user: FakeUser;
  mergeable: boolean | null;
  /**
   * When set, the first `mergeableNullTimes` GETs of the pull answer `mergeable: null` (and `mergeable_state:
   * 'unknown'`, as GitHub does while it computes the merge) before `mergeable` above. Each such GET decrements it.
   */
  mergeableNullTimes?: number;
  /** Default 'clean'. */
  mergeable_state?: string;
  /** `repoFullName` is 'owner/name'; a head repository other than the base one is a fork. */
  head: { ref: string; sha: string; repoFullName: string };
  base: { ref: string; sha: string; repoFullName: string };
}
export interface FakeReview {
  id?: number;
  user: FakeUser;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commit_id: string | null;
  submitted_at?: string;
  /** Default: OWNER/COLLABORATOR/NONE from the reviewer's permission (it is not a permission: tests may lie with it). */
  author_association?: string;
}
export interface FakeStatus { context: string; state: 'success' | 'pending' | 'failure' | 'error'; description?: string; target_url?: string }
export interface FakeCheckRun {
  id?: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: null | 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | 'stale';
  /** The app that made the run; default GitHub Actions (id 15368); null when GitHub does not say. */
  app?: { id: number; slug: string } | null;
}
/** The app GitHub Actions check runs come from. */
export const ACTIONS_APP = { id: 15368, slug: 'github-actions' } as const;
/** A branch's classic protection; a plain list is required status check contexts and nothing else. */
export interface FakeProtection {
  contexts?: string[];
  checks?: { context: string; app_id: number | null }[];
  strict?: boolean;
  reviews?: { required_approving_review_count?: number; require_code_owner_reviews?: boolean; require_last_push_approval?: boolean; dismiss_stale_reviews?: boolean };
  linearHistory?: boolean;
  lockBranch?: boolean;
}
/** A ruleset rule as `GET /rules/branches/{b}` lists it (the fake adds where it comes from). */
export interface FakeRule { type: string; parameters?: unknown }
export interface FakeRepoState {
  /** 'owner/name'; requests name it case-insensitively, as GitHub allows. */
  fullName: string;
  pulls: Map<number, FakePull>;
  /** By pull number, chronological. */
  reviews: Map<number, FakeReview[]>;
  /** By commit sha, chronological: the combined status keeps the last one of each context, as GitHub does. */
  statuses: Map<string, FakeStatus[]>;
  /** By commit sha. */
  checkRuns: Map<string, FakeCheckRun[]>;
  /** Classic protection by branch (a list: required contexts only); branch absent = unprotected. */
  protection: Map<string, string[] | FakeProtection>;
  /** Whether the token may read full protection (`/branches/{b}/protection`, admins); else 404 as for a non-admin. Default true. */
  protectionReadable: boolean;
  /** Active ruleset rules by branch. */
  rules: Map<string, FakeRule[]>;
  /** Permission by login (admin, maintain, write, triage, read, none); others: read (anyone can read a public repo). */
  permissions: Map<string, string>;
  /** Members by team, `org/slug`; a team absent here answers 404 for everyone. */
  teams: Map<string, string[]>;
  /** The GitHub users linked as author and committer of a commit (`GET /commits/{sha}`); default neither. */
  commitUsers: Map<string, { author: string | null; committer: string | null }>;
  /** Absolute path of a real bare git repository; DELETE of a ref deletes it there with `git update-ref -d`. Optional. */
  bareDir?: string;
}
/** An injected answer. `body` defaults to `{message: <reason phrase>}`; a string body is sent verbatim (e.g. broken JSON). */
export interface FakeFault { status: number; headers?: Record<string, string>; body?: unknown; times: number }
export type FakeRouteKey = 'pull' | 'reviews' | 'status' | 'check-runs' | 'branch' | 'protection' | 'rules' | 'permission' | 'membership' | 'commit' | 'delete-ref' | '*';
export interface FakeGitHub {
  /** 'http://127.0.0.1:PORT' */
  baseUrl: string;
  /** The only accepted token. */
  token: string;
  repo: FakeRepoState;
  /**
   * Faults by route key; each answers `times` requests with the fault before normal service resumes. A route's own
   * fault goes before '*', which also covers unknown routes. Faults apply only to requests that passed auth.
   */
  faults: Map<FakeRouteKey | (string & {}), FakeFault>;
  /** Requests seen (including refused ones), as `METHOD /path?query`, raw as sent. */
  requests: string[];
  /** Replies that did not validate against GitHub's schema (each was sent as a 500 instead): must stay empty. */
  invalidReplies: string[];
  /**
   * Branches deleted through DELETE .../git/refs/heads/<branch>. With `bareDir` the repository decides what exists;
   * without it every branch exists until deleted once, and deleting it again answers 422.
   */
  deletedRefs: string[];
  /** Convenience: set a fault that answers every request (any route) with 401 Bad credentials, for good. */
  revokeToken(): void;
  close(): Promise<void>;
}

const BAD_CREDENTIALS = { message: 'Bad credentials', documentation_url: DOCS };
const NO_REF: Reply = { status: 422, body: { message: 'Reference does not exist', documentation_url: DOCS } };

// Matched against the raw path, then each part is decoded: Octokit percent-encodes `/` inside `{ref}` and `{branch}`,
// which keeps `branches/a%2Fb` (branch 'a/b') apart from `branches/a/protection` (another endpoint, answered 404).
const ROUTES: { method: string; key: Exclude<FakeRouteKey, '*'>; pattern: RegExp; operation: OperationKey | null }[] = [
  { method: 'GET', key: 'pull', pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/, operation: 'GET /repos/{owner}/{repo}/pulls/{pull_number}' },
  { method: 'GET', key: 'reviews', pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/, operation: 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews' },
  { method: 'GET', key: 'status', pattern: /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/status$/, operation: 'GET /repos/{owner}/{repo}/commits/{ref}/status' },
  { method: 'GET', key: 'check-runs', pattern: /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/, operation: 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs' },
  { method: 'GET', key: 'commit', pattern: /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)$/, operation: 'GET /repos/{owner}/{repo}/commits/{ref}' },
  { method: 'GET', key: 'branch', pattern: /^\/repos\/([^/]+)\/([^/]+)\/branches\/([^/]+)$/, operation: 'GET /repos/{owner}/{repo}/branches/{branch}' },
  { method: 'GET', key: 'protection', pattern: /^\/repos\/([^/]+)\/([^/]+)\/branches\/([^/]+)\/protection$/, operation: 'GET /repos/{owner}/{repo}/branches/{branch}/protection' },
  { method: 'GET', key: 'rules', pattern: /^\/repos\/([^/]+)\/([^/]+)\/rules\/branches\/([^/]+)$/, operation: 'GET /repos/{owner}/{repo}/rules/branches/{branch}' },
  { method: 'GET', key: 'permission', pattern: /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/, operation: 'GET /repos/{owner}/{repo}/collaborators/{username}/permission' },
  { method: 'GET', key: 'membership', pattern: /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/, operation: 'GET /orgs/{org}/teams/{team_slug}/memberships/{username}' },
  // `git.deleteRef({ ref: 'heads/a/b' })` sends `heads%2Fa%2Fb`; a hand-written `heads/a/b` is accepted too.
  { method: 'DELETE', key: 'delete-ref', pattern: /^\/repos\/([^/]+)\/([^/]+)\/git\/refs\/heads(?:\/|%2[Ff])(.+)$/, operation: null },
];

/** Starts the fake on an ephemeral loopback port with an empty repository `fullName`. */
export async function startFakeGitHub(options: { fullName: string; token?: string; bareDir?: string }): Promise<FakeGitHub> {
  const token = options.token ?? 'test-token';
  const repo: FakeRepoState = {
    fullName: options.fullName,
    pulls: new Map(),
    reviews: new Map(),
    statuses: new Map(),
    checkRuns: new Map(),
    protection: new Map(),
    protectionReadable: true,
    rules: new Map(),
    permissions: new Map(),
    teams: new Map(),
    commitUsers: new Map(),
    ...(options.bareDir !== undefined ? { bareDir: options.bareDir } : {}),
  };
  const faults = new Map<string, FakeFault>();
  const requests: string[] = [];
  const invalidReplies: string[] = [];
  const deletedRefs: string[] = [];
  let baseUrl = '';

  async function handle(req: IncomingMessage): Promise<Reply> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', baseUrl);
    if (!authorized(req.headers.authorization, token)) return { status: 401, body: BAD_CREDENTIALS };
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    const fault = takeFault(faults, route?.key) ?? takeFault(faults, '*');
    if (fault) return { status: fault.status, body: fault.body ?? { message: STATUS_CODES[fault.status] ?? 'Error' }, ...(fault.headers ? { headers: fault.headers } : {}), injected: true };
    const [owner, name, param] = (route?.pattern.exec(url.pathname) ?? []).slice(1).map(decode);
    if (!route || param === undefined || owner === undefined || name === undefined) return NOT_FOUND;
    if (route.key === 'membership') return membershipReply(repo, `${owner}/${name}`, param);
    if (`${owner}/${name}`.toLowerCase() !== repo.fullName.toLowerCase()) return NOT_FOUND;
    const reply = await answer(route.key, param, url);
    return reply;
  }

  async function answer(key: Exclude<FakeRouteKey, '*' | 'membership'>, param: string, url: URL): Promise<Reply> {
    switch (key) {
      case 'pull': return pullReply(repo, Number(param));
      case 'reviews': {
        if (!repo.pulls.has(Number(param))) return NOT_FOUND;
        const reviews = (repo.reviews.get(Number(param)) ?? []).map((r, i) => reviewBody({
          id: r.id ?? i + 1,
          login: r.user.login,
          type: r.user.type ?? 'User',
          state: r.state,
          commitId: r.commit_id,
          // A fixed clock a minute apart keeps the order visible in the timestamps too.
          submittedAt: r.submitted_at ?? new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().replace('.000Z', 'Z'),
          association: r.author_association ?? associationOf(repo, r.user.login),
        }));
        return paged(reviews, url, baseUrl, (items) => items);
      }
      case 'status': return combinedStatus(repo.statuses.get(param) ?? [], param, url, baseUrl);
      case 'check-runs': {
        const all = (repo.checkRuns.get(param) ?? []).map((c, i) => ({ run: c, id: c.id ?? i + 1 }));
        // filter=latest (the default): the newest run of each name and app
        const chosen = url.searchParams.get('filter') === 'all' ? all : all.filter((r, i) => !all.slice(i + 1).some((later) => later.run.name === r.run.name && later.run.app?.id === r.run.app?.id));
        const runs = chosen.map(({ run, id }) => checkRunBody({ id, name: run.name, headSha: param, status: run.status, conclusion: run.conclusion, app: run.app === undefined ? ACTIONS_APP : run.app }));
        return paged(runs, url, baseUrl, (items) => ({ total_count: runs.length, check_runs: items }));
      }
      case 'branch': return { status: 200, body: branchBody(param, protectionOf(repo, param)) };
      case 'protection': {
        const protection = protectionOf(repo, param);
        if (!repo.protectionReadable) return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };
        if (!protection) return { status: 404, body: { message: 'Branch not protected', documentation_url: DOCS } };
        return { status: 200, body: protectionBody(protection) };
      }
      case 'rules': {
        const rules = (repo.rules.get(param) ?? []).map((rule, i) => ruleBody(rule, i, repo.fullName));
        return paged(rules, url, baseUrl, (items) => items);
      }
      case 'commit': {
        const users = repo.commitUsers.get(param) ?? { author: null, committer: null };
        return { status: 200, body: commitBody(param, users.author, users.committer) };
      }
      case 'permission': return { status: 200, body: permissionBody(param, repo.permissions.get(param.toLowerCase()) ?? repo.permissions.get(param) ?? 'read') };
      case 'delete-ref': {
        // Without a repository to ask, every branch exists until deleted once.
        const gone = repo.bareDir === undefined ? deletedRefs.includes(param) : !(await deleteBranch(repo.bareDir, param));
        if (gone) return NO_REF;
        deletedRefs.push(param);
        return { status: 204 };
      }
    }
  }

  /** Checks each reply GitHub's schema; one that does not validate goes out as a 500 and is recorded. Injected faults are the test's own. */
  async function validated(req: IncomingMessage): Promise<Reply> {
    const reply = await handle(req);
    if (reply.injected) return reply;
    const path = new URL(req.url ?? '/', baseUrl).pathname;
    const route = ROUTES.find((r) => r.method === (req.method ?? 'GET') && r.pattern.test(path));
    const errors = schemaErrors(route?.operation ?? null, reply.status, reply.body);
    if (errors.length === 0) return { ...reply, headers: { ...rateLimitHeaders(), ...reply.headers } };
    invalidReplies.push(`${req.method ?? 'GET'} ${path} ${reply.status}: ${errors.join('; ')}`);
    return { status: 500, body: { message: `fake GitHub: reply does not match GitHub's schema: ${errors.join('; ')}` } };
  }

  let used = 0;
  /** GitHub's primary rate-limit headers, on every answer. */
  function rateLimitHeaders(): Record<string, string> {
    used += 1;
    return { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(Math.max(0, 5000 - used)), 'x-ratelimit-used': String(used), 'x-ratelimit-reset': '1893456000', 'x-ratelimit-resource': 'core' };
  }

  const server = createServer((req, res) => {
    requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    req.resume();
    validated(req).then(
      (reply) => send(res, reply),
      (error: unknown) => send(res, { status: 500, body: { message: `fake GitHub failed: ${String(error)}` } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    token,
    repo,
    faults,
    requests,
    invalidReplies,
    deletedRefs,
    revokeToken: () => {
      faults.set('*', { status: 401, body: BAD_CREDENTIALS, times: Number.POSITIVE_INFINITY });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** GitHub takes `token X` and `Bearer X` alike, with the scheme in any case. */
function authorized(header: string | undefined, token: string): boolean {
  const match = /^(token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[2] === token;
}

/** The fault for `key`, counting this request against its `times` (and dropping it when used up). */
function takeFault(faults: Map<string, FakeFault>, key: string | undefined): FakeFault | undefined {
  const fault = key === undefined ? undefined : faults.get(key);
  if (!fault || key === undefined) return undefined;
  if (fault.times <= 0) {
    faults.delete(key);
    return undefined;
  }
  fault.times -= 1;
  if (fault.times <= 0) faults.delete(key);
  return fault;
}

/** Deletes `refs/heads/<branch>` in the bare repository; false when it is not a valid, existing branch. */
async function deleteBranch(bareDir: string, branch: string): Promise<boolean> {
  const ref = `refs/heads/${branch}`;
  return (await git(bareDir, ['check-ref-format', ref])) === 0
    && (await git(bareDir, ['show-ref', '--verify', '--quiet', ref])) === 0
    && (await git(bareDir, ['update-ref', '-d', ref])) === 0;
}

function git(gitDir: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, GIT_DIR: gitDir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    const child = spawn('git', args, { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.body === undefined || reply.status === 204 || reply.status === 304 ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': String(Buffer.byteLength(body)),
    ...reply.headers,
  });
  res.end(body);
}

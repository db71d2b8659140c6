// A fake of the few GitHub REST endpoints `merge-sign` calls, on 127.0.0.1: tests point Octokit's `baseUrl` at it,
// arrange pulls, reviews, statuses and branch protection in `repo`, and inject HTTP faults per route.
import { spawn } from 'node:child_process';
import { createServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser { login: string }
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
  commit_id: string;
  submitted_at?: string;
}
export interface FakeStatus { context: string; state: 'success' | 'pending' | 'failure' | 'error'; description?: string; target_url?: string }
export interface FakeCheckRun {
  id?: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: null | 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | 'stale';
}
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
  /** Required status check contexts of a branch's protection; branch absent = unprotected. */
  protection: Map<string, string[]>;
  /** Absolute path of a real bare git repository; DELETE of a ref deletes it there with `git update-ref -d`. Optional. */
  bareDir?: string;
}
/** An injected answer. `body` defaults to `{message: <reason phrase>}`; a string body is sent verbatim (e.g. broken JSON). */
export interface FakeFault { status: number; headers?: Record<string, string>; body?: unknown; times: number }
export type FakeRouteKey = 'pull' | 'reviews' | 'status' | 'check-runs' | 'branch' | 'delete-ref' | '*';
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
  /**
   * Branches deleted through DELETE .../git/refs/heads/<branch>. With `bareDir` the repository decides what exists;
   * without it every branch exists until deleted once, and deleting it again answers 422.
   */
  deletedRefs: string[];
  /** Convenience: set a fault that answers every request (any route) with 401 Bad credentials, for good. */
  revokeToken(): void;
  close(): Promise<void>;
}

interface Reply { status: number; headers?: Record<string, string>; body?: unknown }

const DOCS = 'https://docs.github.com/rest';
const NOT_FOUND: Reply = { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };
const BAD_CREDENTIALS = { message: 'Bad credentials', documentation_url: DOCS };
const NO_REF: Reply = { status: 422, body: { message: 'Reference does not exist', documentation_url: DOCS } };

// Matched against the raw path, then each part is decoded: Octokit percent-encodes `/` inside `{ref}` and `{branch}`,
// which keeps `branches/a%2Fb` (branch 'a/b') apart from `branches/a/protection` (another endpoint, answered 404).
const ROUTES: { method: string; key: Exclude<FakeRouteKey, '*'>; pattern: RegExp }[] = [
  { method: 'GET', key: 'pull', pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/ },
  { method: 'GET', key: 'reviews', pattern: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/ },
  { method: 'GET', key: 'status', pattern: /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/status$/ },
  { method: 'GET', key: 'check-runs', pattern: /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/ },
  { method: 'GET', key: 'branch', pattern: /^\/repos\/([^/]+)\/([^/]+)\/branches\/([^/]+)$/ },
  // `git.deleteRef({ ref: 'heads/a/b' })` sends `heads%2Fa%2Fb`; a hand-written `heads/a/b` is accepted too.
  { method: 'DELETE', key: 'delete-ref', pattern: /^\/repos\/([^/]+)\/([^/]+)\/git\/refs\/heads(?:\/|%2[Ff])(.+)$/ },
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
    ...(options.bareDir !== undefined ? { bareDir: options.bareDir } : {}),
  };
  const faults = new Map<string, FakeFault>();
  const requests: string[] = [];
  const deletedRefs: string[] = [];
  let baseUrl = '';

  async function handle(req: IncomingMessage): Promise<Reply> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', baseUrl);
    if (!authorized(req.headers.authorization, token)) return { status: 401, body: BAD_CREDENTIALS };
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    const fault = takeFault(faults, route?.key) ?? takeFault(faults, '*');
    if (fault) return { status: fault.status, body: fault.body ?? { message: STATUS_CODES[fault.status] ?? 'Error' }, ...(fault.headers ? { headers: fault.headers } : {}) };
    const [owner, name, param] = (route?.pattern.exec(url.pathname) ?? []).slice(1).map(decode);
    if (!route || param === undefined || `${owner}/${name}`.toLowerCase() !== repo.fullName.toLowerCase()) return NOT_FOUND;
    switch (route.key) {
      case 'pull': return pullReply(repo, Number(param));
      case 'reviews': {
        if (!repo.pulls.has(Number(param))) return NOT_FOUND;
        const reviews = (repo.reviews.get(Number(param)) ?? []).map((r, i) => ({
          id: r.id ?? i + 1,
          user: { login: r.user.login },
          state: r.state,
          commit_id: r.commit_id,
          // A fixed clock a minute apart keeps the order visible in the timestamps too.
          submitted_at: r.submitted_at ?? new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().replace('.000Z', 'Z'),
          body: '',
        }));
        const { items, link } = paginate(reviews, url, baseUrl);
        return { status: 200, body: items, ...(link ? { headers: { link } } : {}) };
      }
      case 'status': return combinedStatus(repo.statuses.get(param) ?? [], param);
      case 'check-runs': {
        const runs = (repo.checkRuns.get(param) ?? []).map((c, i) => ({ id: c.id ?? i + 1, name: c.name, head_sha: param, status: c.status, conclusion: c.conclusion }));
        const { items, link } = paginate(runs, url, baseUrl);
        return { status: 200, body: { total_count: runs.length, check_runs: items }, ...(link ? { headers: { link } } : {}) };
      }
      case 'branch': {
        const contexts = repo.protection.get(param);
        const checks = (contexts ?? []).map((context) => ({ context, app_id: null }));
        return {
          status: 200,
          body: {
            name: param,
            commit: { sha: '' },
            protected: contexts !== undefined,
            protection: { enabled: contexts !== undefined, required_status_checks: { enforcement_level: contexts ? 'everyone' : 'off', contexts: contexts ?? [], checks } },
          },
        };
      }
      case 'delete-ref': {
        // Without a repository to ask, every branch exists until deleted once.
        const gone = repo.bareDir === undefined ? deletedRefs.includes(param) : !(await deleteBranch(repo.bareDir, param));
        if (gone) return NO_REF;
        deletedRefs.push(param);
        return { status: 204 };
      }
    }
  }

  const server = createServer((req, res) => {
    requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    req.resume();
    handle(req).then(
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

function pullReply(repo: FakeRepoState, number: number): Reply {
  const pull = repo.pulls.get(number);
  if (!pull) return NOT_FOUND;
  const computing = (pull.mergeableNullTimes ?? 0) > 0;
  if (computing) pull.mergeableNullTimes = (pull.mergeableNullTimes ?? 0) - 1;
  const side = (s: FakePull['head']) => {
    const owner = s.repoFullName.split('/')[0] ?? '';
    return { ref: s.ref, sha: s.sha, label: `${owner}:${s.ref}`, user: { login: owner }, repo: { full_name: s.repoFullName, owner: { login: owner } } };
  };
  return {
    status: 200,
    body: {
      number: pull.number,
      state: pull.state,
      draft: pull.draft,
      merged: pull.merged ?? false,
      title: pull.title,
      html_url: `https://github.example/${repo.fullName}/pull/${pull.number}`,
      user: { login: pull.user.login },
      mergeable: computing ? null : pull.mergeable,
      mergeable_state: computing ? 'unknown' : (pull.mergeable_state ?? 'clean'),
      head: side(pull.head),
      base: side(pull.base),
    },
  };
}

/** GitHub's combined status: the latest status per context; no statuses at all is 'pending', not 'success'. */
function combinedStatus(all: FakeStatus[], sha: string): Reply {
  const latest = new Map<string, FakeStatus>();
  for (const status of all) latest.set(status.context, status);
  const states = [...latest.values()].map((s) => s.state);
  const state = states.some((s) => s === 'failure' || s === 'error') ? 'failure' : states.length === 0 || states.includes('pending') ? 'pending' : 'success';
  const statuses = [...latest.values()].map((s) => ({ context: s.context, state: s.state, description: s.description ?? null, target_url: s.target_url ?? null }));
  return { status: 200, body: { state, sha, total_count: statuses.length, statuses } };
}

/** One page of `all` per `per_page` (default 30, at most 100) and `page`, with GitHub's `Link` header when there are more. */
function paginate<T>(all: T[], url: URL, baseUrl: string): { items: T[]; link: string | undefined } {
  const asked = (name: string, fallback: number) => {
    const value = Number.parseInt(url.searchParams.get(name) ?? '', 10);
    return Number.isFinite(value) && value >= 1 ? value : fallback;
  };
  const perPage = Math.min(asked('per_page', 30), 100);
  const page = asked('page', 1);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const at = (n: number) => {
    const target = new URL(url.pathname + url.search, baseUrl);
    target.searchParams.set('page', String(n));
    return `<${target.href}>`;
  };
  const links = [
    ...(page > 1 ? [`${at(page - 1)}; rel="prev"`] : []),
    ...(page < last ? [`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`] : []),
    ...(page > 1 ? [`${at(1)}; rel="first"`] : []),
  ];
  return { items: all.slice((page - 1) * perPage, page * perPage), link: links.length > 0 ? links.join(', ') : undefined };
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

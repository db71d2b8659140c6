// The fake GitHub's answers (github-server.ts routes to them): GitHub's shapes from github-bodies.ts over the
// test's state, and GitHub's paging.
import { membershipBody, pullBody, combinedStatusBody, type ProtectionFields } from './github-bodies.js';
import type { FakeProtection, FakeRepoState, FakeStatus } from './github-server.js';

/** A reply before it is checked against GitHub's schema and sent. */
export interface Reply { status: number; headers?: Record<string, string>; body?: unknown; injected?: boolean }

export const DOCS = 'https://docs.github.com/rest';
export const NOT_FOUND: Reply = { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };

export function pullReply(repo: FakeRepoState, number: number): Reply {
  const pull = repo.pulls.get(number);
  if (!pull) return NOT_FOUND;
  const computing = (pull.mergeableNullTimes ?? 0) > 0;
  if (computing) pull.mergeableNullTimes = (pull.mergeableNullTimes ?? 0) - 1;
  return {
    status: 200,
    body: pullBody({
      number: pull.number,
      state: pull.state,
      draft: pull.draft,
      merged: pull.merged ?? false,
      title: pull.title,
      author: pull.user.login,
      ...(pull.user.type ? { authorType: pull.user.type } : {}),
      mergeable: computing ? null : pull.mergeable,
      mergeableState: computing ? 'unknown' : (pull.mergeable_state ?? 'clean'),
      baseFullName: repo.fullName,
      head: pull.head,
      base: pull.base,
    }),
  };
}

export function protectionOf(repo: FakeRepoState, branch: string): ProtectionFields | null {
  const set = repo.protection.get(branch);
  if (set === undefined) return null;
  const p: FakeProtection = Array.isArray(set) ? { contexts: set } : set;
  const contexts = p.contexts ?? [];
  const checks = p.checks ?? contexts.map((context) => ({ context, app_id: null }));
  const reviews = p.reviews
    ? { required_approving_review_count: 1, require_code_owner_reviews: false, require_last_push_approval: false, dismiss_stale_reviews: false, ...p.reviews }
    : null;
  return { contexts: [...new Set([...contexts, ...checks.map((c) => c.context)])], checks, strict: p.strict ?? false, reviews, linearHistory: p.linearHistory ?? false, lockBranch: p.lockBranch ?? false };
}

/** `author_association` is not a permission; this default is what GitHub would likely show. */
export function associationOf(repo: FakeRepoState, login: string): string {
  const permission = repo.permissions.get(login.toLowerCase()) ?? 'read';
  return permission === 'admin' ? 'OWNER' : ['write', 'maintain'].includes(permission) ? 'COLLABORATOR' : 'NONE';
}

export function membershipReply(repo: FakeRepoState, team: string, login: string): Reply {
  const members = repo.teams.get(team.toLowerCase()) ?? repo.teams.get(team);
  if (!members || !members.some((m) => m.toLowerCase() === login.toLowerCase())) return NOT_FOUND;
  return { status: 200, body: membershipBody('active') };
}

/** GitHub's combined status: the latest status per context, paged by `per_page`/`page`; no statuses at all is 'pending'. */
export function combinedStatus(all: FakeStatus[], sha: string, url: URL, baseUrl: string): Reply {
  const latest = new Map<string, FakeStatus>();
  for (const status of all) latest.set(status.context, status);
  const states = [...latest.values()].map((s) => s.state);
  const state = states.some((s) => s === 'failure' || s === 'error') ? 'failure' : states.length === 0 || states.includes('pending') ? 'pending' : 'success';
  const statuses = [...latest.values()].map((s, i) => ({ id: i + 1, context: s.context, state: s.state, description: s.description ?? null, target_url: s.target_url ?? null }));
  return paged(statuses, url, baseUrl, (items) => combinedStatusBody(state, sha, statuses.length, items));
}

/** A page of `all` as the body `wrap` makes of it, with GitHub's `Link` header when there are more. */
export function paged<T>(all: T[], url: URL, baseUrl: string, wrap: (items: T[]) => unknown): Reply {
  const { items, link } = paginate(all, url, baseUrl);
  return { status: 200, body: wrap(items), ...(link ? { headers: { link } } : {}) };
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


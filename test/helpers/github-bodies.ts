// The fake GitHub's reply bodies, built from GitHub's official examples (github-schema.ts) with the test's
// values laid over them, so that every field GitHub sends is there and has GitHub's type.
import { exampleOf } from './github-schema.js';

type Json = Record<string, unknown>;

const ex = (operation: Parameters<typeof exampleOf>[0]): Json => exampleOf(operation) as Json;
const numericId = (text: string): number => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 2_000_000_000, 7) + 1;

/** A `simple-user` for `login` (type `User`, `Bot` or `Organization`). */
export function userBody(login: string, type = 'User'): Json {
  const user = ex('GET /repos/{owner}/{repo}/pulls/{pull_number}').user as Json;
  return { ...user, login, id: numericId(login), type, url: `https://api.github.com/users/${encodeURIComponent(login)}`, html_url: `https://github.com/${encodeURIComponent(login)}` };
}

/** A `repository` called `fullName`, from the pull example's base repository. */
export function repositoryBody(fullName: string): Json {
  const [owner = '', name = ''] = fullName.split('/');
  const repo = (ex('GET /repos/{owner}/{repo}/pulls/{pull_number}').base as Json).repo as Json;
  return { ...repo, id: numericId(fullName), name, full_name: fullName, owner: userBody(owner, 'Organization'), html_url: `https://github.com/${fullName}`, url: `https://api.github.com/repos/${fullName}` };
}

export interface PullFields {
  number: number; state: string; draft: boolean; merged: boolean; title: string; author: string; authorType?: string;
  mergeable: boolean | null; mergeableState: string; baseFullName: string;
  head: { ref: string; sha: string; repoFullName: string }; base: { ref: string; sha: string; repoFullName: string };
}

/** A `pull-request` (the example's `requested_teams` lack the `type` their schema requires: emptied). */
export function pullBody(f: PullFields): Json {
  const side = (s: PullFields['head']): Json => {
    const owner = s.repoFullName.split('/')[0] ?? '';
    return { label: `${owner}:${s.ref}`, ref: s.ref, sha: s.sha, user: userBody(owner, 'Organization'), repo: repositoryBody(s.repoFullName) };
  };
  return {
    ...ex('GET /repos/{owner}/{repo}/pulls/{pull_number}'),
    requested_teams: [],
    number: f.number,
    state: f.state,
    draft: f.draft,
    merged: f.merged,
    title: f.title,
    html_url: `https://github.example/${f.baseFullName}/pull/${f.number}`,
    user: userBody(f.author, f.authorType),
    mergeable: f.mergeable,
    mergeable_state: f.mergeableState,
    head: side(f.head),
    base: side(f.base),
  };
}

export interface ReviewFields { id: number; login: string; type: string; state: string; commitId: string | null; submittedAt: string; association: string }

export function reviewBody(f: ReviewFields): Json {
  const [example] = ex('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews') as unknown as Json[];
  return { ...example, id: f.id, user: userBody(f.login, f.type), state: f.state, commit_id: f.commitId, submitted_at: f.submittedAt, author_association: f.association, body: '' };
}

/** `repository-collaborator-permission` (the example's nested user lacks `role_name`: added). */
export function permissionBody(login: string, role: string): Json {
  const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
  const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(role);
  const permissions = { pull: rank >= 1, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 };
  const example = ex('GET /repos/{owner}/{repo}/collaborators/{username}/permission');
  return { ...example, permission, role_name: role, user: { ...(example.user as Json), ...userBody(login), permissions, role_name: role } };
}

export function combinedStatusBody(state: string, sha: string, totalCount: number, statuses: { id: number; context: string; state: string; description: string | null; target_url: string | null }[]): Json {
  const example = ex('GET /repos/{owner}/{repo}/commits/{ref}/status');
  const [status] = example.statuses as Json[];
  return { ...example, state, sha, total_count: totalCount, statuses: statuses.map((s) => ({ ...status, ...s })) };
}

export function checkRunBody(run: { id: number; name: string; headSha: string; status: string; conclusion: string | null; app: { id: number; slug: string } | null }): Json {
  const example = (ex('GET /repos/{owner}/{repo}/commits/{ref}/check-runs').check_runs as Json[])[0]!;
  const app = run.app === null ? null : { ...(example.app as Json), id: run.app.id, slug: run.app.slug, name: run.app.slug };
  return { ...example, id: run.id, name: run.name, head_sha: run.headSha, status: run.status, conclusion: run.conclusion, completed_at: run.status === 'completed' ? example.completed_at : null, app };
}

export interface ProtectionFields {
  contexts: string[]; checks: { context: string; app_id: number | null }[]; strict: boolean;
  reviews: { required_approving_review_count: number; require_code_owner_reviews: boolean; require_last_push_approval: boolean; dismiss_stale_reviews: boolean } | null;
  linearHistory: boolean;
  lockBranch: boolean;
}

/** The partial protection every reader of `GET /branches/{b}` sees. */
export function branchBody(name: string, p: ProtectionFields | null): Json {
  const example = ex('GET /repos/{owner}/{repo}/branches/{branch}');
  const checks = p ? { enforcement_level: 'everyone', contexts: p.contexts, checks: p.checks } : { enforcement_level: 'off', contexts: [], checks: [] };
  return { ...example, name, protected: p !== null, protection: { enabled: p !== null, required_status_checks: checks } };
}

/** The full protection (admins only); the example's teams/apps shapes and missing `checks` are replaced. */
export function protectionBody(p: ProtectionFields): Json {
  const example = ex('GET /repos/{owner}/{repo}/branches/{branch}/protection');
  const required = example.required_status_checks as Json;
  const reviews = example.required_pull_request_reviews as Json;
  const body: Json = {
    ...example,
    required_status_checks: { ...required, enforcement_level: 'everyone', contexts: p.contexts, checks: p.checks, strict: p.strict },
    restrictions: { ...(example.restrictions as Json), teams: [], apps: [] },
    required_linear_history: { enabled: p.linearHistory },
    lock_branch: { enabled: p.lockBranch },
    required_conversation_resolution: { enabled: false },
    allow_force_pushes: { enabled: false },
    allow_deletions: { enabled: false },
  };
  if (p.reviews) body.required_pull_request_reviews = { ...reviews, dismissal_restrictions: { ...(reviews.dismissal_restrictions as Json), teams: [], apps: [] }, ...p.reviews };
  else delete body.required_pull_request_reviews;
  return body;
}

/** A `repository-rule-detailed`: the rule plus where it comes from. */
export function ruleBody(rule: { type: string; parameters?: unknown }, index: number, fullName: string): Json {
  return { ...rule, ruleset_source_type: 'Repository', ruleset_source: fullName, ruleset_id: 100 + index };
}

export function membershipBody(state: 'active' | 'pending'): Json {
  return { ...ex('GET /orgs/{org}/teams/{team_slug}/memberships/{username}'), state, role: 'member' };
}

/**
 * A `commit` with the GitHub users linked as its author and committer (null: no GitHub account matches); the
 * example's `files[0]` lacks the `sha` and `contents_url` its schema requires: emptied.
 */
export function commitBody(sha: string, author: string | null, committer: string | null): Json {
  const example = ex('GET /repos/{owner}/{repo}/commits/{ref}');
  return { ...example, files: [], sha, author: author === null ? null : userBody(author), committer: committer === null ? null : userBody(committer) };
}

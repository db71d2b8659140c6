import type { SigningKeyRef } from '../core/key-source.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KeyRef } from '../core/key-source.js';
import { UsageError } from '../core/errors.js';
import { createGitHubClient } from '../github/client.js';
import type { MergeCheck } from '../core/report.js';
import { checkPullRequest } from '../github/merge-checks.js';
import { deleteBranch, type PullRequest } from '../github/pull-request.js';
import { formatSlug, parseRepoSlug, repoSlugFromRemoteUrl, type RepoSlug } from '../github/repo-slug.js';
import { mergeTree } from '../git/merge.js';
import { gitDirOf, isAncestor, isValidBranchName, peelCommit, requireCommit } from '../git/refs.js';
import { objectFormatOf, withScratchRepo } from '../git/scratch-repo.js';
import { withRemote } from '../remote/access.js';
import { resolveRemoteUrls } from '../remote/names.js';
import { fetchRefs, pushRef, REF_CHANGED } from '../remote/transfer.js';
import { createSignedCommit, describeSigner, resolveSigner, type ObjectSigner } from '../signing/signer.js';
import { checkAgainstBase } from './merge-base-checks.js';
import { verifyRange } from './verify-range.js';
import type { VerifyOptions } from './types.js';

/** Options of `github-merge-sign` / `siggate merge-sign`. */
export interface MergeSignOptions extends Omit<VerifyOptions, 'repo' | 'keys' | 'reader'> {
  pr: number;
  /** `OWNER/NAME`; default: parsed from the remote's URL. */
  repo?: string | null;
  /** A remote of the local repository, or a URL. Default `origin`. */
  remote?: string;
  /** The local repository (for its remotes, objects and signing configuration). Default `.`. */
  cwd?: string;
  /** When given, the pull request must target this branch. */
  base?: string | null;
  requiredApprovals?: number;
  approvers?: readonly string[] | null;
  /** Count approvals from bot accounts (GitHub does not). */
  allowBotApprovals?: boolean;
  requireChecks?: readonly string[];
  /** Keys of the gate the merge must pass before it is pushed; default `./keys` when it exists, else no gate (a warning). */
  keys?: readonly KeyRef[] | null;
  /** Sign with this armored OpenPGP secret key instead of git's configured signing. */
  keyFile?: SigningKeyRef | null;
  deleteBranch?: boolean;
  dryRun?: boolean;
  token: string;
  apiUrl?: string;
  retryDelaysMs?: readonly number[];
  /** The environment the GitHub client reads proxy variables from; default the process's. */
  env?: NodeJS.ProcessEnv;
  mergeablePollMs?: readonly number[];
  /** Called as each step starts, for a human log. */
  onStep?: (message: string) => void;
}

export type MergeSignStatus = 'merged' | 'dry-run' | 'refused';

/** What `merge-sign` did (or would do, or why it refused). */
export interface MergeSignResult {
  ok: boolean;
  status: MergeSignStatus;
  reason: string | null;
  pullRequest: { number: number; url: string; title: string; head: string; base: string } | null;
  checks: MergeCheck[];
  approvedBy: string[];
  /** The signed merge commit (also on `dry-run`, where it exists only in a scratch repository that is gone). */
  commit: string | null;
  signer: { fingerprint: string | null; userId: string | null; key: string } | null;
  pushed: boolean;
  branchDeleted: boolean;
  warnings: string[];
}

/**
 * Merges an approved, green pull request as a `--no-ff` merge commit signed by the reviewer, checks it
 * with the gate, and pushes it as a compare-and-swap on the base branch. Refusals are results
 * (`ok: false`); broken machinery (GitHub, git, keys) throws.
 */
export async function mergeSign(options: MergeSignOptions): Promise<MergeSignResult> {
  if (!Number.isInteger(options.pr) || options.pr <= 0) throw new UsageError(`--pr must be a pull request number, got ${options.pr}`);
  const required = options.requiredApprovals ?? 1;
  if (!Number.isInteger(required) || required < 1) throw new UsageError(`--required-approvals must be at least 1, got ${required}: merge-sign merges reviewed changes only`);
  const cwd = options.cwd ?? '.';
  const now = options.now ?? new Date();
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  const step = options.onStep ?? (() => {});
  const keys = options.keys === undefined ? (existsSync(resolve(cwd, 'keys')) ? [resolve(cwd, 'keys')] : null) : options.keys;
  if (!keys) warn('no --keys and no ./keys: the merge is not checked against the gate before it is pushed');

  const local = await gitDirOf(cwd);
  const { url, pushUrl, configured } = await resolveRemoteUrls(local, options.remote ?? 'origin', cwd);
  const slug = options.repo ? parseRepoSlug(options.repo) : repoSlugFromRemoteUrl(configured);
  if (!slug) throw new UsageError(`cannot tell the GitHub repository from the remote URL ${url}: pass --repo OWNER/NAME`);
  const signer = await resolveSigner(cwd, options.keyFile ?? null, now);

  step(`checking pull request #${options.pr} of ${formatSlug(slug)}`);
  const octokit = createGitHubClient({ token: options.token, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}), ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}), ...(options.env ? { env: options.env } : {}) });
  const { pull, checks, approvedBy, rules } = await checkPullRequest(octokit, slug, options.pr, {
    base: options.base ?? null,
    requiredApprovals: required,
    approvers: options.approvers ?? null,
    allowBotApprovals: options.allowBotApprovals ?? false,
    requireChecks: options.requireChecks ?? [],
    ...(options.mergeablePollMs ? { mergeablePollMs: options.mergeablePollMs } : {}),
  });
  const result: MergeSignResult = {
    ok: false,
    status: 'refused',
    reason: null,
    pullRequest: { number: pull.number, url: pull.url, title: pull.title, head: pull.head.sha, base: pull.base.ref },
    checks,
    approvedBy,
    commit: null,
    signer: null,
    pushed: false,
    branchDeleted: false,
    warnings,
  };
  const failed = checks.filter((c) => !c.ok);
  const reasons = failed.map((c) => `${c.name}: ${c.detail}`).join('; ');
  // a conflict is named from the commits themselves: fetch them first, then refuse
  const conflicted = failed.length === 1 && failed[0]?.name === 'mergeable' && pull.mergeableState === 'dirty';
  if (failed.length > 0 && !conflicted) return refuse(result, reasons);

  const objectFormat = local ? await objectFormatOf(local) : 'sha1';
  return withScratchRepo({ borrowFrom: local, objectFormat }, async (scratch) => {
    for (const branch of [pull.base.ref, pull.head.ref]) {
      if (!(await isValidBranchName(scratch, branch))) return refuse(result, `GitHub named a branch git would not accept: ${JSON.stringify(branch)}`);
    }
    step(`fetching ${pull.base.ref} and the head of #${pull.number}`);
    const sameRepo = pull.head.repo?.toLowerCase() === formatSlug(slug).toLowerCase();
    const headRef = sameRepo ? `refs/heads/${pull.head.ref}` : `refs/pull/${pull.number}/head`;
    await withRemote({ url }, (remote) => fetchRefs(remote, scratch, [`+refs/heads/${pull.base.ref}:refs/siggate/base`, `+${headRef}:refs/siggate/head`]));
    const githubMerge = rules.dismissStaleReviews || rules.requireLastPushApproval ? await fetchGitHubMerge(url, scratch, pull.number) : null;
    const head = await requireCommit(scratch, 'refs/siggate/head');
    const base = await requireCommit(scratch, 'refs/siggate/base');
    if (head !== pull.head.sha) {
      return refuse(result, `head moved: GitHub checked ${pull.head.sha.slice(0, 12)} but ${headRef} is now ${head.slice(0, 12)}; review the new commits and run again`);
    }
    if (await isAncestor(scratch, head, base)) return refuse(result, `${pull.base.ref} already contains the head ${head.slice(0, 12)}`);
    const merged = await mergeTree(scratch, base, head);
    if ('conflicts' in merged) return refuse(result, `merge conflict with ${pull.base.ref} in ${merged.conflicts.join(', ') || 'the trees'}: rebase or merge ${pull.base.ref} into the branch`);
    if (conflicted) return refuse(result, reasons);
    const baseChecks = await checkAgainstBase({ scratch, base, head, tree: merged.tree, githubMerge, pull, rules, approvedBy, octokit });
    result.checks = [...checks, ...baseChecks];
    const unmet = baseChecks.filter((c) => !c.ok);
    if (unmet.length > 0) return refuse(result, unmet.map((c) => `${c.name}: ${c.detail}`).join('; '));

    step(`signing the merge with ${describeSigner(signer)}`);
    const message = mergeMessage(pull, slug, approvedBy, signer);
    const commit = await createSignedCommit(scratch, signer, { tree: merged.tree, parents: [base, head], at: now, message });
    result.commit = commit;
    result.signer = { fingerprint: signer.kind === 'key' ? signer.key.fingerprint : null, userId: `${signer.identity.name} <${signer.identity.email}>`, key: describeSigner(signer) };
    if (keys) {
      step('checking the merge with the gate');
      const gate = await verifyRange({ ...options, repo: scratch, keys, target: commit, mode: 'tip', since: null, cache: false, onWarning: warn });
      const verdict = gate.commits[0];
      if (!gate.ok || !verdict) return refuse(result, `the merge would not pass the gate: ${verdict ? `${verdict.status}: ${verdict.reason}` : gate.reason}`);
      if (verdict.signer) result.signer = { ...result.signer, fingerprint: verdict.signer.fingerprint, userId: verdict.signer.userId };
    }
    if (options.dryRun) return { ...result, ok: true, status: 'dry-run' };

    step(`pushing ${commit.slice(0, 12)} to ${pull.base.ref}`);
    // a compare-and-swap on the base tip the merge was made on: a base that moved or was rewound refuses it
    const pushed = await withRemote({ url: pushUrl }, (remote) => pushRef(remote, scratch, `${commit}:refs/heads/${pull.base.ref}`, { lease: base }));
    if (!pushed.ok) {
      return refuse(result, REF_CHANGED.test(pushed.reason) ? `base moved: ${pull.base.ref} changed while merging (${pushed.reason}); run again` : `the remote refused the push: ${pushed.reason}`);
    }
    result.pushed = true;
    if (options.deleteBranch) result.branchDeleted = await deleteHeadBranch(octokit, slug, pull, sameRepo, warn);
    return { ...result, ok: true, status: 'merged' };
  });
}

/** GitHub's test merge of the pull request, or null when the remote has none. */
async function fetchGitHubMerge(url: string, scratch: string, number: number): Promise<string | null> {
  try {
    await withRemote({ url }, (remote) => fetchRefs(remote, scratch, [`+refs/pull/${number}/merge:refs/siggate/github-merge`]));
  } catch (error) {
    if (error instanceof UsageError) return null;
    throw error;
  }
  return peelCommit(scratch, 'refs/siggate/github-merge');
}

function refuse(result: MergeSignResult, reason: string): MergeSignResult {
  return { ...result, ok: false, status: 'refused', reason };
}

/** The merge message GitHub would write, plus trailers naming who approved and who merged and signed. */
function mergeMessage(pull: PullRequest, slug: RepoSlug, approvedBy: readonly string[], signer: ObjectSigner): string {
  const from = `${pull.head.owner || slug.owner}/${pull.head.ref}`;
  const trailers = [
    ...approvedBy.map((login) => `Approved-by: ${login}`),
    `Merged-by: ${signer.identity.name} <${signer.identity.email}>`,
    ...(signer.kind === 'key' ? [`Signing-key: ${signer.key.fingerprint}`] : signer.signingKey && signer.format === 'openpgp' ? [`Signing-key: ${signer.signingKey}`] : []),
  ];
  const title = pull.title.trim();
  return `Merge pull request #${pull.number} from ${from}\n\n${title ? `${title}\n\n` : ''}${trailers.join('\n')}\n`;
}

async function deleteHeadBranch(
  octokit: ReturnType<typeof createGitHubClient>,
  slug: RepoSlug,
  pull: PullRequest,
  sameRepo: boolean,
  warn: (message: string) => void,
): Promise<boolean> {
  if (!sameRepo) {
    warn(`not deleting ${pull.head.ref}: it belongs to the fork ${pull.head.repo ?? 'that is gone'}`);
    return false;
  }
  try {
    await deleteBranch(octokit, slug, pull.head.ref);
    return true;
  } catch (error) {
    warn(`merged, but could not delete ${pull.head.ref}: ${(error as Error).message}`);
    return false;
  }
}

import type { GateSession } from '../../commands/gate.js';
import { verifyRangeIn } from '../../commands/verify-range.js';
import { verifyTagIn } from '../../commands/verify-tag.js';
import { GateClosedError, UsageError } from '../../core/errors.js';
import type { RangeReport } from '../../core/report.js';
import { withCacheRepositoryLock } from '../../git/cache-repo.js';
import { quarantineRefspecs } from '../../git/quarantine.js';
import { git } from '../../git/run-git.js';
import type { RemoteAccess } from '../../remote/access.js';
import { fetchRefs, listRemoteRefs, remoteDefaultBranch } from '../../remote/transfer.js';
import type { Log } from '../protocol/types.js';
import type { InParams } from './in-params.js';
import { resolveRef, snapshotRefs, type RefSnapshot, type TagObject } from './in-refs.js';
import { describeFailures, summarize } from './report-lines.js';
import { usesTags, type ResourceRequest } from './source.js';

/** What `in` writes, decided in the quarantine before DEST is touched: every commit here passed the gate. */
export interface InPlan {
  quarantine: string;
  /** The commit DEST checks out, and the gate's report on it. */
  target: string;
  report: RangeReport;
  /** The branch the clone is of (version.branch, source.branch, the remote's default), null when there is none. */
  branch: string | null;
  /** Its tip when that passed the gate too; null: no local branch, no remote-tracking ref is written. */
  branchTip: string | null;
  /** The branch is the remote's default: `origin/HEAD` points at it, as in a clone. */
  defaultBranch: boolean;
  /** HEAD stays on the branch (no version, `HEAD`, or the branch's name) rather than detached. */
  onBranch: boolean;
  /** `all_branches`: the other branches whose tips passed → tip. */
  otherBranches: Map<string, string>;
  /** `params.fetch`: the branches whose tips passed → tip. */
  fetchBranches: Map<string, string>;
  /** Every tag of the remote; only those pointing into the history DEST holds are copied. */
  tags: TagObject[];
  /** `fetch_tags: true` or a tag mode: the commits of tags to copy with their history (each passed the gate, or is in a history that did). */
  tagCommits: string[];
}

/** A plan in the making: the snapshot of one fetch, and where the version and branch are in it. */
export interface PlanInputs {
  quarantine: string;
  snapshot: RefSnapshot;
  branch: string | null;
  defaultBranch: boolean;
  target: { commit: string; tag: TagObject | null; onBranch: boolean };
}

/**
 * Fetch every branch and tag of the remote into the quarantine (the cache repository `check` uses) and
 * find the version there: its commit, the branch to clone, the tag it names. Nothing is verified yet.
 */
export async function fetchForIn(request: ResourceRequest, remote: RemoteAccess, quarantine: string, log: Log): Promise<PlanInputs> {
  const { source, version } = request;
  const ref = version ? (version.commit ?? version.ref) : 'HEAD';
  const extra = ref.startsWith('refs/') && !/^refs\/(heads|tags)\//.test(ref) ? [ref] : [];
  let snapshot = await fetchSnapshot(remote, quarantine, extra);
  const named = version?.branch ?? source.branch;
  if (version?.branch) log(`Override ${source.branch ?? ''} with ${version.branch}`);
  const fallback = named ? null : await remoteDefaultBranch(remote, quarantine);
  const branch = named ?? fallback?.slice('refs/heads/'.length) ?? null;
  if (named && !snapshot.branches.has(named)) {
    // git clone --branch fails; a version found anyway (a tag, a commit) is still checked out, without the branch
    if (ref === 'HEAD') throw missingBranch(named, remote, snapshot);
    log(`warning: branch ${named} is not on the remote: no local branch is written`);
  }
  if (ref === 'HEAD') {
    const tip = branch === null ? undefined : snapshot.branches.get(branch);
    if (!tip) throw new UsageError(`the remote ${remote.shown} has no default branch (HEAD); set source.branch`);
    return { quarantine, snapshot, branch, defaultBranch: named === null, target: { commit: tip, tag: null, onBranch: true } };
  }
  let resolved = await resolveRef(quarantine, snapshot, ref);
  if (!resolved && source.searchRemoteRefs && named) {
    snapshot = await searchRemoteRefs(remote, quarantine, ref, log) ?? snapshot;
    resolved = await resolveRef(quarantine, snapshot, ref);
  }
  if (!resolved) throw new UsageError(`version ${ref} was not found on the remote ${remote.shown} (or is not a commit)`);
  const onBranch = resolved.branch !== null && resolved.branch === branch;
  // the tag a version names, even when it carries the commit check verified (a tag can move: verify_tags looks at it)
  const tag = version ? (snapshot.tags.find((t) => t.name === version.ref.replace(/^refs\/tags\//, '')) ?? null) : null;
  return { quarantine, snapshot, branch, defaultBranch: named === null, target: { commit: resolved.commit, tag, onBranch } };
}

/** One fetch of the remote's branches and tags (and `extra` refs), its refs read under the same lock. */
async function fetchSnapshot(remote: RemoteAccess, quarantine: string, extra: readonly string[]): Promise<RefSnapshot> {
  return withCacheRepositoryLock(quarantine, async () => {
    await fetchRefs(remote, quarantine, quarantineRefspecs(extra), { prune: true });
    return snapshotRefs(quarantine);
  });
}

/**
 * `search_remote_refs`: a version the branches and tags do not hold may sit under another ref (Gerrit's
 * `refs/changes/…`): fetch every remote ref whose line of `ls-remote` mentions it, as git-resource does.
 */
async function searchRemoteRefs(remote: RemoteAccess, quarantine: string, ref: string, log: Log): Promise<RefSnapshot | null> {
  const refs = [...(await listRemoteRefs(remote, quarantine))]
    .filter(([name, oid]) => `${oid}\t${name}`.includes(ref) && name.startsWith('refs/') && !name.endsWith('^{}') && !/^refs\/(heads|tags)\//.test(name))
    .map(([name]) => name);
  if (refs.length === 0) {
    log(`WARNING: couldn't find a ref for ${ref} listed on the remote`);
    return null;
  }
  log(`${ref} not found locally, but search_remote_refs is enabled. Attempting to fetch ${refs.join(' ')} first.`);
  return fetchSnapshot(remote, quarantine, refs);
}

function missingBranch(branch: string, remote: RemoteAccess, snapshot: RefSnapshot): UsageError {
  const heads = [...snapshot.branches.keys()];
  const known = heads.length > 0 ? `; it has ${heads.slice(0, 10).join(', ')}${heads.length > 10 ? ', …' : ''}` : '';
  return new UsageError(`Remote branch ${branch} not found in upstream origin: branch ${branch} is not on ${remote.shown}${known}`);
}

/**
 * Verify the version (and, with `verify_tags`, the tag it names), then every other commit DEST would name:
 * the branch tip, the other branches (`all_branches`), the `params.fetch` branches. The version failing
 * closes the gate (the report says why); another tip failing only keeps that ref out of DEST, logged.
 */
export async function verifyPlan(request: ResourceRequest, params: InParams, inputs: PlanInputs, gate: GateSession, log: Log): Promise<InPlan> {
  const { source } = request;
  const { snapshot, branch, target } = inputs;
  if (source.verifyTags && request.version && (target.tag || usesTags(source))) {
    if (!target.tag) throw new GateClosedError(`tag ${request.version.ref} is not on the remote (verify_tags); nothing was checked out`);
    await requireSignedTag(gate, target.tag, request.version.commit ?? null, log);
  }
  const verify = (commit: string): Promise<RangeReport> => verifyRangeIn(gate, { ...source.range, target: commit, cache: true });
  const report = await verify(target.commit);
  const plan: InPlan = {
    quarantine: inputs.quarantine,
    target: target.commit,
    report,
    branch,
    branchTip: null,
    defaultBranch: inputs.defaultBranch,
    onBranch: false,
    otherBranches: new Map(),
    fetchBranches: new Map(),
    tags: snapshot.tags,
    tagCommits: [],
  };
  return report.ok ? gateRefsAround(plan, request, params, inputs, verify, log) : plan;
}

/** Which of the other refs DEST would hold point at commits that pass the gate: only those are written. */
async function gateRefsAround(plan: InPlan, request: ResourceRequest, params: InParams, inputs: PlanInputs, verify: (commit: string) => Promise<RangeReport>, log: Log): Promise<InPlan> {
  const { snapshot, branch } = inputs;
  const verdicts = new Map<string, boolean>([[plan.target, true]]);
  const passes = async (what: string, commit: string): Promise<boolean> => {
    const known = verdicts.get(commit);
    if (known !== undefined) return known;
    const report = await verify(commit);
    if (!report.ok) log(`${what} (${commit}) did not pass the gate (${summarize(report)}): not written to the destination`);
    verdicts.set(commit, report.ok);
    return report.ok;
  };
  const tip = branch === null ? undefined : snapshot.branches.get(branch);
  if (branch !== null && tip && (await passes(`the tip of ${branch}`, tip))) plan.branchTip = tip;
  plan.onBranch = inputs.target.onBranch && plan.branchTip === plan.target;
  for (const [name, commit] of params.allBranches ? snapshot.branches : []) {
    if (name !== branch && (await passes(`the tip of ${name}`, commit))) plan.otherBranches.set(name, commit);
  }
  for (const name of params.fetch) {
    const commit = snapshot.branches.get(name);
    if (!commit) throw new UsageError(`params.fetch: the remote has no branch ${name}`);
    if (await passes(`the tip of ${name} (params.fetch)`, commit)) plan.fetchBranches.set(name, commit);
  }
  if (params.fetchTags === true || usesTags(request.source)) plan.tagCommits = await passingTagCommits(plan, passes);
  return plan;
}

/**
 * Every tag, as `--tags` fetches them: a tag pointing into a history already written needs nothing more;
 * one pointing elsewhere brings its history, so its commit must pass the gate like a branch tip.
 */
async function passingTagCommits(plan: InPlan, passes: (what: string, commit: string) => Promise<boolean>): Promise<string[]> {
  const roots = [plan.target, plan.branchTip, ...plan.otherBranches.values(), ...plan.fetchBranches.values()].filter((c): c is string => c !== null);
  // by commit id, not by the quarantine's tag refs: a concurrent fetch may have moved them since the snapshot
  const held = new Set((await git(['rev-list', '--stdin'], plan.quarantine, { input: Buffer.from(`${roots.join('\n')}\n`) })).split('\n').filter(Boolean));
  const commits = new Set<string>();
  for (const tag of plan.tags) if (held.has(tag.commit) || (await passes(`tag ${tag.name}`, tag.commit))) commits.add(tag.commit);
  return [...commits];
}

/** `verify_tags`: the version's tag object must be signed by an allowed key, and still name the version's commit. */
async function requireSignedTag(gate: GateSession, tag: TagObject, commit: string | null, log: Log): Promise<void> {
  if (commit !== null && tag.commit !== commit) throw new GateClosedError(`tag ${tag.name} now points at ${tag.commit}, not at the version's commit ${commit}`);
  if (tag.object === tag.commit) throw new GateClosedError(`tag ${tag.name} is a lightweight tag: it carries no signature (verify_tags)`);
  const report = await verifyTagIn(gate, tag.object);
  if (!report.ok) {
    log(`tag ${tag.name}: ${report.status}: ${report.reason ?? ''}`);
    throw new GateClosedError(`tag ${tag.name} is not signed by an allowed key (${report.status}); nothing was checked out`);
  }
}

/** The lines a closed gate prints: siggate's reasons, then git-resource's (`gpg: Can't check signature: No public key`, `The commit … is not signed`). */
export function gateClosedLines(report: RangeReport): string[] {
  const lines = describeFailures(report);
  for (const commit of report.commits) {
    if (commit.status === 'valid') continue;
    if (commit.status === 'unknown-key') lines.push("gpg: Can't check signature: No public key");
    lines.push(`The commit ${commit.oid} is not signed`);
  }
  return lines;
}

/**
 * `verify --policy sequoia`: sequoia-git's `sq-git log --trust-root ROOT TARGET`. The target passes when a
 * chain of parents leads from it down to the trust root in which each commit is authenticated by its
 * parent's `openpgp-policy.toml` (any one parent of a merge suffices, as the specification says).
 */
import type { RangePolicy, SequoiaRangePolicy } from '../core/gate-options.js';
import type { CommitReport, RangeReport } from '../core/report.js';
import { SequoiaRepository, type PolicyAt } from '../git/sequoia-repo.js';
import { peelToCommit, resolveRevision } from '../git/revisions.js';
import { readCommit } from '../git/range-graph.js';
import { mergedCheckerOf, sequoiaKeysOf, summarizeKeyring, type SequoiaKeys } from '../trust/sequoia-keys.js';
import type { VerifyPolicy } from '../core/verdict.js';
import type { KeyringSummary } from '../core/sequoia-policy.js';
import { judgeSequoiaEdge, type Edge } from './sequoia-edge.js';
import type { GateSession } from './gate.js';
import type { RangeRequest } from './verify-range.js';

/** What a gate remembers under sequoia: policies by commit and blob, keys by blob, keyrings by content. */
export interface SequoiaState {
  repository: SequoiaRepository;
  keys: Map<string, SequoiaKeys>;
  summaries: Map<string, KeyringSummary>;
}

const states = new WeakMap<GateSession, SequoiaState>();

/** The sequoia state of a gate, made on first use. */
export function sequoiaStateOf(gate: GateSession): SequoiaState {
  let state = states.get(gate);
  if (!state) states.set(gate, (state = { repository: new SequoiaRepository(gate.reader), keys: new Map(), summaries: new Map() }));
  return state;
}

/** Refusals of the whole run: sequoia-git stops with an error when a checked commit has no policy or one it cannot read. */
class FatalPolicy extends Error {}

/** Verify a range under sequoia-git's policy from the trust root `range.since`. */
export async function verifySequoiaRangeIn(gate: GateSession, request: RangeRequest, range: RangePolicy & { inRepository: SequoiaRangePolicy }): Promise<RangeReport> {
  const state = sequoiaStateOf(gate);
  const targetRev = request.target ?? 'HEAD';
  const target = (await peelToCommit(gate.reader, await resolveRevision(gate.reader, targetRev), targetRev)).oid;
  const root = (await peelToCommit(gate.reader, await resolveRevision(gate.reader, range.since!), range.since!)).oid;
  const base = { target, since: root, mode: 'all' as const, reused: [], warnings: gate.trust.warnings };
  // the trust root vouches for itself: sq-git checks nothing when it is the target
  if (target === root) return { ...base, ok: true, status: 'passed', checked: 0, failed: 0, reason: null, commits: [] };
  const visited = await visitFrom(state.repository, target, root);
  if (!visited.has(root)) {
    const reason = `${targetRev} does not descend from the trust root ${root}: there is no path of authenticated commits between them`;
    const remedy = 'give as --since a commit the target descends from (the commit that added openpgp-policy.toml, or a later one you trust); --allow-rewind does not apply to --policy sequoia';
    return { ...base, ok: false, status: 'not-descendant', checked: 0, failed: 0, reason, remedy, commits: [] };
  }
  const targetPolicy = await state.repository.policyAt(target);
  const goodlist = new Set(targetPolicy.kind === 'file' ? targetPolicy.policy.goodlist : []);
  let edges: Map<string, Edge[]>;
  try {
    const hardRevoked = await hardRevokedIn(gate, state, visited);
    edges = await walkSuffix(gate, state, { target, root, hardRevoked, goodlist, request });
  } catch (error) {
    if (!(error instanceof FatalPolicy)) throw error;
    return { ...base, ok: false, status: 'failed', checked: 0, failed: 0, reason: error.message, commits: [] };
  }
  return reportOf(base, edges, root, gate);
}

/** Every commit sq-git visits: reachable from the target without going below the trust root. */
async function visitFrom(repository: SequoiaRepository, target: string, root: string): Promise<Set<string>> {
  const visited = new Set([target]);
  let wave = [target];
  while (wave.length > 0) {
    const next: string[] = [];
    const parents = await Promise.all(wave.filter((c) => c !== root).map((c) => repository.parentsOf(c)));
    for (const parent of parents.flat()) if (!visited.has(parent)) (visited.add(parent), next.push(parent));
    wave = next;
  }
  return visited;
}

/** Keys any visited commit's policy revokes hard: their signatures stand only where the target's goodlist names the commit. */
async function hardRevokedIn(gate: GateSession, state: SequoiaState, visited: ReadonlySet<string>): Promise<Set<string>> {
  const revoked = new Set<string>();
  const policies = await Promise.all([...visited].map((c) => state.repository.policyAt(c)));
  for (const policy of policies) {
    if (policy.kind !== 'file') continue;
    const keys = keysOf(gate, state, policy);
    // a keyring siggate cannot read might revoke a key sq-git would see revoked: refuse rather than miss it
    if (!keys.checker && policy.policy.authorizations.size > 0) throw new FatalPolicy(`a keyring in the openpgp-policy.toml blob ${policy.blob} cannot be read (${keys.problem}): its revocations cannot be taken into account`);
    for (const fpr of keys.hardRevoked) revoked.add(fpr);
  }
  return revoked;
}

/** The keys of a policy blob, parsed once per gate. */
export function keysOf(gate: GateSession, state: SequoiaState, policy: PolicyAt & { kind: 'file' }): SequoiaKeys {
  let keys = state.keys.get(policy.blob);
  if (!keys) {
    keys = sequoiaKeysOf(policy.policy, verifyPolicyOf(gate), gate.trust.pool, gate.warn);
    state.keys.set(policy.blob, keys);
  }
  return keys;
}

/** sequoia-git enforces expiry and refuses SHA-1 whatever the flags; siggate also refuses DSA and RSA under 2048 bits. */
function verifyPolicyOf(gate: GateSession): VerifyPolicy {
  return { now: gate.trust.policy.now, ignoreExpiry: false, allowWeak: false, refuseWeakDigests: true };
}

interface Walk {
  target: string;
  root: string;
  hardRevoked: ReadonlySet<string>;
  goodlist: ReadonlySet<string>;
  request: RangeRequest;
}

/**
 * Check the edges of every commit on an authenticated suffix (the target, then each parent an edge
 * authenticates), a wave at a time. Edges of other commits are never checked, as sq-git does.
 */
async function walkSuffix(gate: GateSession, state: SequoiaState, walk: Walk): Promise<Map<string, Edge[]>> {
  const edges = new Map<string, Edge[]>();
  const onSuffix = new Set([walk.target]);
  let wave = [walk.target];
  let done = 0;
  while (wave.length > 0) {
    const checked = await Promise.all(wave.map((commit) => edgesOf(gate, state, commit, walk)));
    const next: string[] = [];
    wave.forEach((commit, index) => {
      edges.set(commit, checked[index]!);
      walk.request.onProgress?.(++done, null);
      for (const edge of checked[index]!) {
        if (!edge.good || onSuffix.has(edge.parent)) continue;
        onSuffix.add(edge.parent);
        if (edge.parent !== walk.root) next.push(edge.parent);
      }
    });
    wave = next;
  }
  return edges;
}

async function edgesOf(gate: GateSession, state: SequoiaState, oid: string, walk: Walk): Promise<Edge[]> {
  const [commit, own, parents] = await Promise.all([readCommit(gate.reader, oid), state.repository.policyAt(oid), state.repository.parentsOf(oid)]);
  const child = fileOrFatal(own, oid).policy;
  const summarize = (keyring: string): KeyringSummary => {
    let summary = state.summaries.get(keyring);
    if (!summary) state.summaries.set(keyring, (summary = summarizeKeyring(keyring)));
    return summary;
  };
  return Promise.all(
    parents.map(async (parent) => {
      const policy = fileOrFatal(await state.repository.policyAt(parent), parent);
      const keys = keysOf(gate, state, policy);
      const mergedChecker = (): ReturnType<typeof mergedCheckerOf> => mergedCheckerOf(policy.policy, child, verifyPolicyOf(gate), gate.trust.pool);
      return judgeSequoiaEdge({ oid, commit, parent, parentPolicy: policy.policy, childPolicy: child, keys, summarize, hardRevoked: walk.hardRevoked, goodlist: walk.goodlist, mergedChecker });
    }),
  );
}

function fileOrFatal(policy: PolicyAt, commit: string): PolicyAt & { kind: 'file' } {
  if (policy.kind === 'file') return policy;
  if (policy.kind === 'none') throw new FatalPolicy(`commit ${commit} has no openpgp-policy.toml: sq-git stops there (a merge of history from before the policy, or a commit removing it)`);
  throw new FatalPolicy(`the openpgp-policy.toml of commit ${commit} (blob ${policy.blob}) cannot be read: ${policy.problem}`);
}

/** Passed when the trust root is reached; the commits listed are those on authenticated paths, or, on failure, every checked one. */
function reportOf(base: Pick<RangeReport, 'target' | 'since' | 'mode' | 'reused' | 'warnings'>, edges: Map<string, Edge[]>, root: string, gate: GateSession): RangeReport {
  const authenticated = new Set([root]);
  // a commit is authenticated once a good edge leads to an authenticated parent; repeat until nothing changes
  for (let changed = true; changed; ) {
    changed = false;
    for (const [oid, list] of edges) {
      if (authenticated.has(oid) || !list.some((e) => e.good && authenticated.has(e.parent))) continue;
      authenticated.add(oid);
      changed = true;
    }
  }
  const ok = authenticated.has(base.target);
  const commits: CommitReport[] = [];
  for (const list of edges.values()) {
    const good = list.find((e) => e.good && authenticated.has(e.parent));
    if (good) commits.push(good.report);
    else if (!ok) commits.push(list.find((e) => !e.good)?.report ?? unreached(list[0]!.report));
  }
  const side = [...edges.keys()].filter((oid) => !authenticated.has(oid)).length;
  if (ok && side > 0) gate.warn(`${side} commit(s) brought in by merges are not authenticated; the target passes through another parent (sequoia-git's any-parent rule)`);
  const failed = commits.filter((c) => c.status !== 'valid').length;
  const status = ok ? 'passed' : 'failed';
  const reason = ok ? null : `no chain of authenticated commits leads from ${base.target} to the trust root ${root}`;
  return { ...base, ok, status, checked: edges.size, failed, reason, commits };
}

function unreached(report: CommitReport): CommitReport {
  return { ...report, status: 'not-allowed', reason: 'authenticated by its parents, but none of them leads to the trust root', remedy: 'check that the history descends from the trust root' };
}

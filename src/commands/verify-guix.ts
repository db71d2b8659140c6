/**
 * `verify --policy guix`: a Guix channel authenticated as `guix pull` does — the introduction signed by
 * its signer, then every commit reachable from the target and not from the introduction signed by a key
 * of the keyring branch that each parent's `.guix-authorizations` lists.
 */
import { VerifiedCache } from '../cache/verified-cache.js';
import type { GuixRangePolicy, RangePolicy } from '../core/gate-options.js';
import { DEFAULT_KEYRING_REF, formatGuixFingerprint } from '../core/guix-authorizations.js';
import { applyGuixRule } from '../core/guix-rule.js';
import { walkRange, type WalkResult } from '../core/range.js';
import type { CommitReport, RangeReport } from '../core/report.js';
import { KeyConfigError } from '../core/errors.js';
import { GuixRepository } from '../git/guix-repo.js';
import { readCommit } from '../git/range-graph.js';
import { peelToCommit, resolveRevision } from '../git/revisions.js';
import { parseKeySources } from '../trust/key-sources.js';
import { SignatureChecker } from '../trust/signature-checker.js';
import type { GateSession } from './gate.js';
import type { RangeRequest } from './verify-range.js';

const IN_FLIGHT = 128;
const PENDING = null as unknown as CommitReport;

/** A keyring branch parsed into a checker: every key present may sign, `.guix-authorizations` decides who is allowed. */
interface GuixKeys {
  ref: string;
  digest: string;
  checker: SignatureChecker;
}

interface GuixState {
  repository: GuixRepository;
  keyrings: Map<string, Promise<GuixKeys>>;
}

// one reader of policy files per gate: a resource `check` over several versions parses each blob once
const states = new WeakMap<GateSession, GuixState>();

/** The Guix state of a gate: its policy-file reader and keyrings, made on first use. */
export function guixStateOf(gate: GateSession): GuixState {
  let state = states.get(gate);
  if (!state) {
    state = { repository: new GuixRepository(gate.reader), keyrings: new Map() };
    states.set(gate, state);
  }
  return state;
}

/** Verify a range under a Guix channel's policy (the range's trust root is the introduction). */
export async function verifyGuixRangeIn(gate: GateSession, request: RangeRequest, range: RangePolicy & { inRepository: GuixRangePolicy }): Promise<RangeReport> {
  const policy = range.inRepository;
  const state = guixStateOf(gate);
  const targetRev = request.target ?? 'HEAD';
  const target = (await peelToCommit(gate.reader, await resolveRevision(gate.reader, targetRev), targetRev)).oid;
  const intro = (await peelToCommit(gate.reader, await resolveRevision(gate.reader, range.since!), range.since!)).oid;
  // git lists the range while the keyring loads; the walk asks for the same lists and finds them under way
  // (with a cache the walk excludes what it verified, another list)
  if (!request.cache && target !== intro) {
    gate.graph.prefetchRange(target, [intro], false).catch(() => {});
    gate.graph.trustedBy(intro, target).catch(() => {});
  }
  const keys = await guixKeysFor(gate, state, policy.keyringRef ?? (await state.repository.keyringReferenceAt(target, gate.warn)) ?? DEFAULT_KEYRING_REF);
  const base = { target, since: intro, mode: 'all' as const, reused: [], warnings: gate.trust.warnings };
  // the introduction is checked while the walk runs; the walk's results count only if it passes
  const introChecked = readCommit(gate.reader, intro).then((commit) => keys.checker.checkCommit(intro, commit));
  introChecked.catch(() => {});
  const cache = request.cache ? await VerifiedCache.open(gate.reader.gitDir, cacheKeyOf(keys, policy, intro, gate), gate.warn) : null;
  const { walk, commits, requires } = await checkRange(gate, state, keys, { target, intro, cache, request });
  const introProblem = checkIntroduction(await introChecked, policy.introSigner);
  if (introProblem) return { ...base, ok: false, status: 'untrusted-root', checked: 0, failed: 0, commits: [], ...introProblem };
  const failed = commits.filter((c) => c.status !== 'valid').length;
  if (walk.descends === false && !range.allowRewind) {
    const reason = `${targetRev} does not descend from the channel introduction ${intro}: it is not this channel's history, or it was rewritten`;
    return { ...base, ok: false, status: 'not-descendant', checked: commits.length, failed, reason, commits, reused: walk.reused };
  }
  const status = failed > 0 ? 'failed' : 'passed';
  if (status === 'passed' && cache && requires) await cache.record(target, commits, requires);
  return { ...base, ok: status === 'passed', status, checked: commits.length, failed, reason: null, commits, reused: walk.reused };
}

interface CheckedRange {
  walk: WalkResult;
  commits: CommitReport[];
  /** What each checked commit requires, for the cache; null without one. */
  requires: Map<string, readonly string[]> | null;
}

/** Walk the range, check each commit's signature (a bounded number in flight), then apply the rule of its parents. */
async function checkRange(gate: GateSession, state: GuixState, keys: GuixKeys, range: { target: string; intro: string; cache: VerifiedCache | null; request: RangeRequest }): Promise<CheckedRange> {
  const { target, intro, cache, request } = range;
  const total = request.onProgress ? await gate.graph.countRange(target, [intro], false) : null;
  const commits: CommitReport[] = [];
  const requires = cache ? new Map<string, readonly string[]>() : null;
  let done = 0;
  const completed = (): void => request.onProgress?.(++done, total);
  const inFlight: Promise<void>[] = [];
  // the rule is applied once the walk is over: every commit of the range is known by then, and its
  // children's facts need no second read of it
  const heads: (CommitHead | null)[] = [];
  // the introduction vouches for itself only: nothing to walk when it is the target
  const walk = target === intro ? { descends: true, reused: [] } : await walkRange(gate.graph, { target, since: intro, mode: 'all', expect: (count) => gate.trust.expectChecks(count), ...(cache ? { verified: cache } : {}) }, (step) => {
    if (step.cached) {
      commits.push(cache!.report(step.oid));
      return completed();
    }
    requires?.set(step.oid, step.requires);
    const index = commits.push(PENDING) - 1;
    if (step.commit) {
      heads[index] = { oid: step.oid, tree: step.commit.tree, parents: step.commit.parents };
      state.repository.remember(step.oid, heads[index]!);
    }
    inFlight.push(keys.checker.checkCommit(step.oid, step.commit).then((report) => {
      commits[index] = report;
      completed();
    }));
    return inFlight.length > IN_FLIGHT ? inFlight.shift() : undefined;
  });
  await Promise.all(inFlight);
  await applyRule(commits, heads, state.repository);
  return { walk, commits, requires };
}

interface CommitHead {
  oid: string;
  tree: string | null;
  parents: readonly string[];
}

const RULE_BATCH = 2048;

/** Judge each checked commit by its parents' `.guix-authorizations`, a batch of tree reads in flight at a time. */
async function applyRule(commits: CommitReport[], heads: readonly (CommitHead | null)[], repository: GuixRepository): Promise<void> {
  for (let start = 0; start < commits.length; start += RULE_BATCH) {
    const batch: Promise<void>[] = [];
    for (let index = start; index < Math.min(start + RULE_BATCH, commits.length); index++) {
      const head = heads[index];
      if (!head) continue;
      batch.push(repository.factsFor(head.oid, head).then((facts) => void (commits[index] = applyGuixRule(commits[index]!, facts))));
    }
    await Promise.all(batch);
  }
}

/** Why the introduction cannot start the channel (Guix: "initial commit … is signed by … instead of …"), or null. */
function checkIntroduction(report: CommitReport, signer: string): { reason: string; remedy: string } | null {
  const expected = formatGuixFingerprint(signer);
  if (report.status !== 'valid' || !report.signer) {
    return {
      reason: `the introduction ${report.oid} is not validly signed (${report.status}: ${report.reason ?? 'no reason'})`,
      remedy: `the introduction must be signed by ${expected} with a key in the keyring branch; check the introduction commit and signer you were given`,
    };
  }
  if (report.signer.signingKey === signer) return null;
  return {
    reason: `the introduction ${report.oid} is signed by ${formatGuixFingerprint(report.signer.signingKey)} instead of ${expected}`,
    remedy: 'check the channel introduction (commit and signer) against the one the channel publishes; the fingerprint is that of the key that signed, a subkey if a subkey signed',
  };
}

/** The keyring branch's keys as a checker, once per keyring commit; expiry ignored as Guix ignores it. */
function guixKeysFor(gate: GateSession, state: GuixState, name: string): Promise<GuixKeys> {
  let keys = state.keyrings.get(name);
  if (!keys) {
    keys = state.repository.loadKeyring(name).then((keyring) => {
      if (keyring.sources.length === 0) throw new KeyConfigError(`keyring branch ${keyring.ref} holds no .key file`);
      const parsed = parseKeySources(keyring.sources, (message) => gate.warn(message));
      const verify = { now: gate.trust.policy.now, ignoreExpiry: true, allowWeak: gate.trust.policy.allowWeak, refuseWeakDigests: true };
      const checker = new SignatureChecker(parsed, { fingerprints: null, allows: () => true }, verify, gate.trust.pool);
      return { ref: keyring.ref, digest: parsed.digest, checker };
    });
    state.keyrings.set(name, keys);
  }
  return keys;
}

function cacheKeyOf(keys: GuixKeys, policy: GuixRangePolicy, intro: string, gate: GateSession): Parameters<typeof VerifiedCache.open>[1] {
  return { keysDigest: keys.digest, allow: null, mode: 'all', since: intro, ignoreExpiry: true, allowWeak: gate.trust.policy.allowWeak, inRepository: `guix ${policy.introSigner}` };
}

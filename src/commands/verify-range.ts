import { VerifiedCache } from '../cache/verified-cache.js';
import { rangePolicyOf, type RangePolicy } from '../core/gate-options.js';
import { walkRange } from '../core/range.js';
import type { CommitReport, RangeMode, RangeReport, RangeStatus } from '../core/report.js';
import { readCommit } from '../git/range-graph.js';
import { peelToCommit, resolveRevision } from '../git/revisions.js';
import { withGate, type GateSession } from './gate.js';
import { resolveTrustRoot, type TrustRoot } from './trust-root.js';
import { verifyGuixRangeIn } from './verify-guix.js';
import { verifySequoiaRangeIn } from './verify-sequoia.js';
import type { VerifyOptions, VerifyRangeOptions } from './types.js';

const IN_FLIGHT = 128;
const PENDING = null as unknown as CommitReport;

/** One range to verify within a gate session. */
export interface RangeRequest extends Partial<RangePolicy> {
  /** The revision to verify. Default `HEAD`. */
  target?: string;
  /** Reuse and extend the verification cache under the git directory. */
  cache?: boolean;
  /** Called as each required commit is settled (checked, or listed from the cache): `done` only grows; `total` is null when unknown. Counting costs a `git rev-list`: pass it only when a bar is shown. */
  onProgress?: (done: number, total: number | null) => void;
}

/** Verify the commits a mode requires between a trust root and a target (`siggate verify`). */
export async function verifyRange(options: VerifyRangeOptions): Promise<RangeReport> {
  return withGate(options, (gate) => verifyRangeIn(gate, { ...options, cache: options.cache ?? false }));
}

/** `verifyRange` within an open gate session: keys, reader and crypto pool are reused across calls. */
export async function verifyRangeIn(gate: GateSession, request: RangeRequest): Promise<RangeReport> {
  const range = rangePolicyOf(request);
  if (range.inRepository?.kind === 'sequoia') return verifySequoiaRangeIn(gate, request, { ...range, inRepository: range.inRepository });
  if (range.inRepository) return verifyGuixRangeIn(gate, request, { ...range, inRepository: range.inRepository });
  const targetRev = request.target ?? 'HEAD';
  const target = (await peelToCommit(gate.reader, await resolveRevision(gate.reader, targetRev), targetRev)).oid;
  const root = range.since ? await resolveTrustRoot(gate, range.since, range.allowUnsignedRoot) : null;
  const since = root?.commit ?? null;
  // a root that cannot vouch decides the range: walking down to it would check what an attacker chose
  if (root && !root.trusted) return untrustedRoot(gate, root, target, range.mode);
  const cache = request.cache ? await openCache(gate, range.mode, since) : null;
  const total = request.onProgress ? await countRequired(gate, target, since, range.mode) : null;
  const commits: CommitReport[] = [];
  // what each checked commit requires, for the cache to remember; not kept without one
  const requires = cache ? new Map<string, readonly string[]>() : null;
  let done = 0;
  const completed = (): void => request.onProgress?.(++done, total);
  // a bounded number of checks in flight: enough to keep the thread pool busy, little memory
  const inFlight: Promise<void>[] = [];
  const expect = (count: number): void => gate.trust.expectChecks(count);
  const walk = await walkRange(gate.graph, { target, since, mode: range.mode, expect, ...(cache ? { verified: cache } : {}) }, (step) => {
    if (step.cached) {
      commits.push(cache!.report(step.oid));
      return completed();
    }
    requires?.set(step.oid, step.requires);
    const index = commits.push(PENDING) - 1;
    inFlight.push(
      gate.trust.checker.checkCommit(step.oid, step.commit).then((report) => {
        commits[index] = report;
        completed();
      }),
    );
    return inFlight.length > IN_FLIGHT ? inFlight.shift() : undefined;
  });
  await Promise.all(inFlight);
  const failed = commits.filter((c) => c.status !== 'valid').length;
  let status: RangeStatus = failed > 0 ? 'failed' : 'passed';
  let reason: string | null = null;
  if (walk.descends === false && !range.allowRewind) {
    status = 'not-descendant';
    const cut = gate.reader.overrides.shallow ? ', or the repository is shallow and cut between them (git fetch --unshallow)' : '';
    reason = `${targetRev} does not descend from the trust root ${range.since}: the branch was rewound or rewritten${cut}`;
  }
  if (status === 'passed' && cache && requires) await cache.record(target, commits, requires);
  return { ok: status === 'passed', status, target, since, mode: range.mode, checked: commits.length, failed, reason, commits, reused: walk.reused, warnings: gate.trust.warnings };
}

/** Verify a single commit (tip mode, no trust root, no cache). */
export async function verifyCommit(options: VerifyOptions & { rev: string }): Promise<CommitReport> {
  return withGate({ ...options, workers: false }, async (gate) => {
    const commit = await peelToCommit(gate.reader, await resolveRevision(gate.reader, options.rev), options.rev);
    return gate.trust.checker.checkCommit(commit.oid, await readCommit(gate.reader, commit.oid));
  });
}

/** How many commits the mode requires (cached ones included), for a progress bar that knows its end; null when the reader cannot tell cheaply. */
function countRequired(gate: GateSession, target: string, since: string | null, mode: RangeMode): Promise<number | null> {
  if (mode === 'tip') return Promise.resolve(1);
  return gate.graph.countRange(target, since ? [since] : [], mode === 'first-parent');
}

function openCache(gate: GateSession, mode: RangeMode, since: string | null): Promise<VerifiedCache> {
  const { policy, allowList, keyring } = gate.trust;
  return VerifiedCache.open(
    gate.reader.gitDir,
    {
      keysDigest: keyring.digest,
      allow: allowList.fingerprints ? [...allowList.fingerprints] : null,
      mode,
      since,
      ignoreExpiry: policy.ignoreExpiry,
      allowWeak: policy.allowWeak,
    },
    gate.warn,
  );
}

/** The report for a trust root that cannot vouch: nothing checked, nothing cached, exit 1. */
function untrustedRoot(gate: GateSession, root: TrustRoot & { trusted: false }, target: string, mode: RangeMode): RangeReport {
  const { reason, remedy } = root;
  return { ok: false, status: 'untrusted-root', target, since: root.commit, mode, checked: 0, failed: 0, reason, remedy, commits: [], reused: [], warnings: gate.trust.warnings };
}

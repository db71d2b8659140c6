import { VerifiedCache } from '../cache/verified-cache.js';
import { walkRange } from '../git/walk.js';
import { withVerifyContext, type VerifyContext } from './context.js';
import { checkCommit, checkParsedCommit, peelToCommit, resolveRevision } from './objects.js';
import { resolveTrustRoot, type TrustRoot } from './trust-root.js';
import type { CommitReport, RangeMode, RangeReport, RangeStatus, VerifyOptions, VerifyRangeOptions } from './types.js';

const IN_FLIGHT = 128;
const PENDING = null as unknown as CommitReport;

/** Verify the commits a mode requires between a trust root and a target (`siggate verify`). */
export async function verifyRange(options: VerifyRangeOptions): Promise<RangeReport> {
  return withVerifyContext(options, async (context) => {
    const targetRev = options.target ?? 'HEAD';
    const target = (await peelToCommit(context.reader, await resolveRevision(context.reader, targetRev), targetRev)).oid;
    const root = options.since ? await resolveTrustRoot(context, options.since, options.allowUnsignedRoot ?? false) : null;
    const since = root?.commit ?? null;
    const mode = options.mode ?? (root ? 'first-parent' : 'tip');
    // a root that cannot vouch decides the range: walking down to it would check what an attacker chose
    if (root && !root.trusted) return untrustedRoot(context, root, target, mode);
    const cache = options.cache ? await openCache(context, mode, since) : null;
    const commits: CommitReport[] = [];
    // a bounded number of checks in flight: enough to feed the worker threads, little memory
    const inFlight: Promise<void>[] = [];
    const walk = await walkRange(context.reader, { target, since, mode, verified: cache?.verified }, async (oid, commit) => {
      const index = commits.push(PENDING) - 1;
      inFlight.push(
        checkParsedCommit(context.checker, oid, commit).then((report) => {
          commits[index] = report;
          options.onProgress?.(index + 1, null);
        }),
      );
      if (inFlight.length > IN_FLIGHT) await inFlight.shift();
    });
    await Promise.all(inFlight);
    const failed = commits.filter((c) => c.status !== 'valid').length;
    let status: RangeStatus = failed > 0 ? 'failed' : 'passed';
    let reason: string | null = null;
    if (walk.descends === false && !options.allowRewind) {
      status = 'not-descendant';
      const cut = context.reader.overrides.shallow ? ', or the repository is shallow and cut between them (git fetch --unshallow)' : '';
      reason = `${targetRev} does not descend from the trust root ${options.since}: the branch was rewound or rewritten${cut}`;
    }
    if (status === 'passed') await cache?.record(target);
    return { ok: status === 'passed', status, target, since, mode, checked: commits.length, failed, reason, commits, reused: walk.reused, warnings: context.warnings };
  });
}

/** Verify a single commit (tip mode, no trust root, no cache). */
export async function verifyCommit(options: VerifyOptions & { rev: string }): Promise<CommitReport> {
  return withVerifyContext(options, async (context) => {
    const commit = await peelToCommit(context.reader, await resolveRevision(context.reader, options.rev), options.rev);
    return checkCommit(context.reader, context.checker, commit.oid);
  });
}

function openCache(context: VerifyContext, mode: RangeMode, since: string | null): Promise<VerifiedCache> {
  const { policy, allowList, keyring } = context;
  return VerifiedCache.open(
    context.reader.gitDir,
    {
      keysDigest: keyring.digest,
      allow: allowList.fingerprints ? [...allowList.fingerprints] : null,
      mode,
      since,
      ignoreExpiry: policy.ignoreExpiry,
      allowWeak: policy.allowWeak,
    },
    context.warn,
  );
}

/** The report for a trust root that cannot vouch: nothing checked, nothing cached, exit 1. */
function untrustedRoot(context: VerifyContext, root: TrustRoot & { trusted: false }, target: string, mode: RangeMode): RangeReport {
  const { reason, remedy } = root;
  return { ok: false, status: 'untrusted-root', target, since: root.commit, mode, checked: 0, failed: 0, reason, remedy, commits: [], reused: [], warnings: context.warnings };
}

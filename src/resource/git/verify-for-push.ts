import { join } from 'node:path';
import { withGate } from '../../commands/gate.js';
import { verifyRangeIn } from '../../commands/verify-range.js';
import type { CommitReport, RangeReport } from '../../core/report.js';
import { GateClosedError } from '../../core/errors.js';
import { withCacheRepositoryLock } from '../../git/cache-repo.js';
import { peelCommit } from '../../git/refs.js';
import { git } from '../../git/run-git.js';
import { withRemote } from '../../remote/access.js';
import type { TrustSession } from '../../trust/session.js';
import type { ResourceDeps } from '../protocol/types.js';
import { updateMirror } from './mirror.js';
import { remoteSpecOf } from './source-remote.js';
import type { ResourceRequest } from './source.js';

/**
 * Verify `commit` (what `ref` of the checkout names) under the source's range: in the checkout; when the
 * trust root (often a tag) is not there, or the keys are in the repository (policy guix), in the mirror, which fetches them.
 */
export async function verifyForPush(request: ResourceRequest, repo: string, commit: string, trust: TrustSession, deps: ResourceDeps, ref = 'HEAD'): Promise<RangeReport> {
  const range = request.source.range;
  // policy guix reads the keyring branch, which the mirror fetches and a checkout may lack
  if (!range.inRepository && (!range.since || (await peelCommit(repo, range.since)))) {
    // Never the cache here: the checkout is the user's, not ours to write into.
    return withGate({ repo }, (gate) => verifyRangeIn(gate, { ...range, target: commit, cache: false }), { trust });
  }
  const mirror = await withRemote(remoteSpecOf(request.source, join(deps.cacheDir, 'known_hosts')), (remote) => updateMirror(deps.cacheDir, request.source, remote));
  // under the mirror's lock: another `out` of the same pipeline writes the same ref
  const fetched = await withCacheRepositoryLock(mirror.gitDir, async () => {
    await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', repo, `+${ref}:refs/siggate/out`], mirror.gitDir);
    return (await git(['rev-parse', '--verify', 'refs/siggate/out^{commit}'], mirror.gitDir)).trim();
  });
  if (fetched !== commit) throw new GateClosedError(`the checkout's ${ref} moved while verifying (${commit} became ${fetched})`);
  return withGate({ repo: mirror.gitDir }, (gate) => verifyRangeIn(gate, { ...range, target: commit, cache: true }), { trust });
}

/** Each commit's own verdict (its signature alone, as in `tip` mode), in the order given. */
export async function verifyCommits(repo: string, commits: readonly string[], trust: TrustSession): Promise<CommitReport[]> {
  if (commits.length === 0) return [];
  return withGate({ repo }, async (gate) => {
    const reports: CommitReport[] = [];
    for (const commit of commits) {
      const report = await verifyRangeIn(gate, { target: commit, mode: 'tip', since: null, cache: false });
      reports.push(report.commits[0] ?? { oid: commit, status: 'malformed', format: 'none', signer: null, signedAt: null, subject: '', reason: report.reason ?? 'not checked' });
    }
    return reports;
  }, { trust });
}

import { join } from 'node:path';
import { withGate } from '../../commands/gate.js';
import { verifyRangeIn } from '../../commands/verify-range.js';
import type { RangeReport } from '../../core/report.js';
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

/** Verify in the checkout; when the trust root (often a tag) is not there, in the mirror, which fetches it. */
export async function verifyForPush(request: ResourceRequest, repo: string, commit: string, trust: TrustSession, deps: ResourceDeps): Promise<RangeReport> {
  const range = request.source.range;
  if (!range.since || (await peelCommit(repo, range.since))) {
    // Never the cache here: the checkout is the user's, not ours to write into.
    return withGate({ repo }, (gate) => verifyRangeIn(gate, { ...range, target: commit, cache: false }), { trust });
  }
  const mirror = await withRemote(remoteSpecOf(request.source, join(deps.cacheDir, 'known_hosts')), (remote) => updateMirror(deps.cacheDir, request.source, remote));
  // under the mirror's lock: another `out` of the same pipeline writes the same ref
  const fetched = await withCacheRepositoryLock(mirror.gitDir, async () => {
    await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', repo, '+HEAD:refs/siggate/out'], mirror.gitDir);
    return (await git(['rev-parse', '--verify', 'refs/siggate/out^{commit}'], mirror.gitDir)).trim();
  });
  if (fetched !== commit) throw new GateClosedError(`the checkout's HEAD moved while verifying (${commit} became ${fetched})`);
  return withGate({ repo: mirror.gitDir }, (gate) => verifyRangeIn(gate, { ...range, target: commit, cache: true }), { trust });
}

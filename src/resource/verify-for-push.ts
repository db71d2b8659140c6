import type { RangeReport } from '../commands/types.js';
import { GateClosedError } from '../errors.js';
import { git, runGit } from '../git/run-git.js';
import { verifyUnderPolicy } from './gate.js';
import { updateMirror } from './mirror.js';
import type { ResourcePolicy } from './policy.js';
import { openRemoteAccess } from './remote.js';
import type { ResourceRequest } from './source.js';

/** Verify in the checkout; when the trust root (often a tag) is not there, in the mirror, which fetches it. */
export async function verifyForPush(request: ResourceRequest, repo: string, commit: string, policy: ResourcePolicy): Promise<RangeReport> {
  const since = policy.range.since;
  if (!since || (await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${since}^{commit}`], repo)).code === 0) {
    // Never the cache here: the checkout is the user's, not ours to write into.
    return verifyUnderPolicy(repo, commit, policy, false);
  }
  const access = await openRemoteAccess(request.source);
  try {
    const mirror = await updateMirror(request.source, access);
    await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', repo, '+HEAD:refs/siggate/out'], mirror.gitDir);
    const fetched = (await git(['rev-parse', '--verify', 'refs/siggate/out^{commit}'], mirror.gitDir)).trim();
    if (fetched !== commit) throw new GateClosedError(`the checkout's HEAD moved while verifying (${commit} became ${fetched})`);
    return await verifyUnderPolicy(mirror.gitDir, commit, policy, true);
  } finally {
    await access.dispose();
  }
}

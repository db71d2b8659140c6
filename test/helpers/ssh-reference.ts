import { verifyConfig } from '../../fixtures/lib/repo-signing.js';
import type { Repo } from '../../fixtures/lib/repo.js';

/** What git itself concludes about an SSH-signed commit (the reference siggate must agree with). */
export interface GitSshVerdict {
  /** `git verify-commit` succeeded. */
  accepted: boolean;
  /** `%GS`: the principal ssh-keygen verified, empty when none did. */
  principal: string;
}

/**
 * Asks the real git (2.39: `ssh-keygen -Y find-principals`, then `-Y verify -I` per principal, at the
 * committer time) to judge the commit `oid` against an allowed_signers file.
 */
export async function gitSshVerdict(repo: Repo, oid: string, allowedSigners: string): Promise<GitSshVerdict> {
  const config = await verifyConfig({ allowedSigners });
  const verify = await repo.gitRaw([...config, 'verify-commit', oid], { allowFailure: true });
  const principal = await repo.git(...config, 'log', '-1', '--format=%GS', oid);
  return { accepted: verify.code === 0, principal };
}

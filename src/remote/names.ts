import { RepositoryError } from '../core/errors.js';
import { runGit } from '../git/run-git.js';

/** The URLs a remote name stands for in a repository. */
export interface RemoteUrls {
  /** Where to fetch from, `insteadOf` applied. */
  url: string;
  /** Where to push to (`pushurl` when the remote has one). */
  pushUrl: string;
  /** The URL as configured (before `insteadOf`), which names the hosted repository. */
  configured: string;
}

const LOOKS_LIKE_URL = /^[a-z][a-z0-9+.-]*:\/\/|^[^/:]+@[^/:]+:|^\/|^\.\.?\//i;

/**
 * The URLs of `remote` in the repository at `repo` (`git remote get-url`), or, when `remote` is itself a
 * URL or a path, that. An unknown name is a RepositoryError (exit 2).
 */
export async function resolveRemoteUrls(repo: string | null, remote: string, where: string = repo ?? '.'): Promise<RemoteUrls> {
  if (repo) {
    const result = await runGit(['remote', 'get-url', '--end-of-options', remote], repo);
    if (result.code === 0) {
      const url = result.stdout.toString('utf8').trim();
      const push = await runGit(['remote', 'get-url', '--push', '--end-of-options', remote], repo);
      const configured = await runGit(['config', '--get', `remote.${remote}.url`], repo);
      return {
        url,
        pushUrl: push.code === 0 ? push.stdout.toString('utf8').trim() : url,
        configured: configured.code === 0 ? configured.stdout.toString('utf8').trim() : url,
      };
    }
  }
  if (LOOKS_LIKE_URL.test(remote)) return { url: remote, pushUrl: remote, configured: remote };
  throw new RepositoryError(`no remote "${remote}" ${repo ? `in ${where}` : `(${where} is not a git repository)`}: pass a remote name or a URL`);
}

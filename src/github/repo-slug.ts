import { UsageError } from '../core/errors.js';

/** A GitHub repository as `owner` and `name`. */
export interface RepoSlug {
  owner: string;
  name: string;
}

const PART = /^[A-Za-z0-9_.-]+$/;

/** Parses `OWNER/NAME` as given to `--repo`. */
export function parseRepoSlug(value: string): RepoSlug {
  const [owner, name, ...rest] = value.split('/');
  if (rest.length > 0 || !owner || !name || !PART.test(owner) || !PART.test(name)) {
    throw new UsageError(`--repo must be OWNER/NAME, got "${value}"`);
  }
  return { owner, name: name.replace(/\.git$/, '') };
}

/**
 * The repository a remote URL points at: `https://HOST/OWNER/NAME(.git)`, `ssh://git@HOST/OWNER/NAME.git`
 * or scp-like `git@HOST:OWNER/NAME.git`. Null when the URL has no OWNER/NAME path (a local path, say).
 */
export function repoSlugFromRemoteUrl(url: string): RepoSlug | null {
  let path: string | null = null;
  const scp = /^(?:[^@/]+@)?[^/:]+:(?!\/)(.+)$/.exec(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'file:') return null;
      path = parsed.pathname;
    } catch {
      return null;
    }
  } else if (scp) {
    path = scp[1] ?? null;
  }
  if (!path) return null;
  const parts = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '').split('/');
  const [owner, name] = parts.slice(-2);
  if (parts.length < 2 || !owner || !name || !PART.test(owner) || !PART.test(name)) return null;
  return { owner, name };
}

export const formatSlug = (slug: RepoSlug): string => `${slug.owner}/${slug.name}`;

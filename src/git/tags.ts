import type { TagRef } from '../core/promotion.js';
import { git, runGit } from './run-git.js';

/** Every tag of a local repository, by name. */
export async function localTags(repo: string): Promise<Map<string, TagRef>> {
  const out = await git(['for-each-ref', '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)', 'refs/tags/'], repo);
  const tags = new Map<string, TagRef>();
  for (const line of out.split('\n')) {
    const [name, object, peeled] = line.split('\0');
    if (name && object) tags.set(name, { name, object, commit: peeled || object });
  }
  return tags;
}


/** Creates `refs/tags/NAME` only if it does not exist yet; false when it does (a concurrent creation). */
export async function createTagRef(repo: string, name: string, object: string): Promise<boolean> {
  return (await runGit(['update-ref', '--create-reflog', `refs/tags/${name}`, object, ''], repo)).code === 0;
}


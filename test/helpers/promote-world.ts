// A world for promote: a bare remote with a signed main, the release manager's clone that signs as alice.
import { Repo } from '../../fixtures/lib/repo.js';
import { signingCloneOf } from './merge-world.js';
import type { DemoWorld } from './world.js';

export interface PromoteWorld {
  remote: Repo;
  /** The release manager's clone: origin is `remote`, git signs as alice. */
  clone: Repo;
  /** The first (signed) commit and the signed tip of main. */
  first: string;
  tip: string;
}

/** main: two commits signed by allowed keys, pushed to a bare remote and cloned. */
export async function promoteWorld(demo: DemoWorld): Promise<PromoteWorld> {
  const seed = await Repo.init();
  const first = await seed.commit({ message: 'initial', sign: demo.as('alice') });
  const tip = await seed.commit({ message: 'release candidate', sign: demo.as('bob') });
  const remote = await Repo.init({ bare: true });
  await seed.git('push', '-q', remote.dir, 'main:refs/heads/main');
  return { remote, clone: await signingCloneOf(remote, demo), first, tip };
}

/** Names of the tags of a repository and the commits they peel to, as `name commit` lines. */
export async function tagsOf(repo: Repo): Promise<string[]> {
  const out = await repo.git('for-each-ref', '--format=%(refname:strip=2) %(*objectname)%(objectname)', 'refs/tags/');
  return out ? out.split('\n').map((line) => line.replace(/^(\S+) (\w{40})\w*$/, '$1 $2')) : [];
}

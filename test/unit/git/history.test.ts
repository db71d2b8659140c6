// What a trust root vouches for, as git answers it for the range walk: the range's boundary, not the root's whole history.
import { describe, expect, it } from 'vitest';
import { Repo } from '../../../fixtures/lib/repo.js';
import { historyFor } from '../../../src/git/history.js';
import { openRepository } from '../../../src/git/open-repo.js';
import { useFixtureCleanup } from '../../helpers/world.js';

useFixtureCleanup();

// r ← a ← m (merge of a and b) ← t;  r ← b ← s (the trust root, on the side branch)
async function sideRootHistory(): Promise<{ repo: Repo; ids: Record<string, string> }> {
  const repo = await Repo.init();
  const ids: Record<string, string> = {};
  const make = async (name: string, parents: string[]): Promise<void> => {
    ids[name] = await repo.commit({ message: name, parents: parents.map((p) => ids[p]!), files: { [name]: name } });
  };
  await make('r', []);
  await make('a', ['r']);
  await make('b', ['r']);
  await make('s', ['b']);
  await make('m', ['a', 'b']);
  await make('t', ['m']);
  return { repo, ids };
}

describe('GitHistory.trustedBy', () => {
  it("vouches for the root's ancestors the range's commits point at, and for nothing in the range", async () => {
    const { repo, ids } = await sideRootHistory();
    const reader = await openRepository(repo.dir, 'git');
    try {
      const trusted = await historyFor(reader).trustedBy(ids['s']!, ids['t']!);
      expect(['t', 'm', 'a', 'b', 'r'].map((name) => trusted.has(ids[name]!))).toEqual([false, false, false, true, true]);
      // s is not below t: the walk reports not-descendant from this answer
      expect(trusted.reachesRoot).toBe(false);
      expect((await historyFor(reader).trustedBy(ids['a']!, ids['t']!)).reachesRoot).toBe(true);
      expect((await historyFor(reader).trustedBy(ids['r']!, ids['t']!)).reachesRoot).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('vouches for a target the root reaches, and for what is below it', async () => {
    const { repo, ids } = await sideRootHistory();
    const reader = await openRepository(repo.dir, 'git');
    try {
      const trusted = await historyFor(reader).trustedBy(ids['s']!, ids['b']!);
      expect([trusted.has(ids['b']!), trusted.has(ids['r']!), trusted.reachesRoot]).toEqual([true, true, false]);
      const itself = await historyFor(reader).trustedBy(ids['s']!, ids['s']!);
      expect(itself.has(ids['s']!)).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('vouches for nothing when git cannot list the range (an unknown root)', async () => {
    const { repo, ids } = await sideRootHistory();
    const reader = await openRepository(repo.dir, 'git');
    try {
      const trusted = await historyFor(reader).trustedBy('0'.repeat(40), ids['t']!);
      expect(['t', 'a', 'r'].map((name) => trusted.has(ids[name]!))).toEqual([false, false, false]);
      expect(trusted.reachesRoot).toBeUndefined();
    } finally {
      await reader.close();
    }
  });
});

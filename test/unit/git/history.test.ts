// What a trust root vouches for, as git answers it for the range walk: the range's boundary, not the root's whole history.
import { describe, expect, it } from 'vitest';
import { Repo } from '../../../fixtures/lib/repo.js';
import { historyFor } from '../../../src/git/history.js';
import type { ObjectReader } from '../../../src/git/object-reader.js';
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

describe('GitHistory.prefetchRange', () => {
  /** A linear history of `count` commits, made at once by git fast-import. */
  async function longHistory(count: number): Promise<Repo> {
    const repo = await Repo.init();
    let stream = '';
    for (let i = 1; i <= count; i++) {
      const message = `commit ${i}\n`;
      stream += `commit refs/heads/main\nmark :${i}\ncommitter A <a@siggate.test> ${1_700_000_000 + i} +0000\ndata ${message.length}\n${message}${i > 1 ? `from :${i - 1}\n` : ''}\n`;
    }
    await repo.gitRaw(['fast-import', '--quiet'], { input: stream });
    return repo;
  }

  /** Each batch of ids the history hands the reader to read ahead, the reader still doing it. */
  function watchPrefetch(reader: ObjectReader): string[][] {
    const hinted: string[][] = [];
    const prefetch = reader.prefetch.bind(reader);
    reader.prefetch = (oids) => {
      hinted.push([...oids]);
      prefetch(oids);
    };
    return hinted;
  }

  it('reads ahead every commit of the range as git lists it, in several parts, and counts them', async () => {
    // 2,500 ids are ~100 kB of output: more than one read from git's pipe
    const repo = await longHistory(2_500);
    const reader = await openRepository(repo.dir, 'git');
    const hinted = watchPrefetch(reader);
    try {
      const excluded = await repo.revParse('main~2000');
      const count = await historyFor(reader).prefetchRange(await repo.revParse('main'), [excluded], false);
      const expected = (await repo.git('rev-list', 'main', `^${excluded}`)).split('\n');
      expect(count).toBe(2_000);
      expect(hinted.flat()).toEqual(expected);
      expect(hinted.length).toBeGreaterThan(1);
      // the read-ahead serves the walk: the first and the last commit of the range come back whole
      for (const oid of [expected[0]!, expected.at(-1)!]) expect((await reader.read(oid))?.type).toBe('commit');
    } finally {
      await reader.close();
    }
  });

  it('has no count when git cannot list the range, and reads nothing ahead', async () => {
    const repo = await longHistory(3);
    const reader = await openRepository(repo.dir, 'git');
    const hinted = watchPrefetch(reader);
    try {
      expect(await historyFor(reader).prefetchRange('f'.repeat(40), [], false)).toBeNull();
      expect(hinted.flat()).toEqual([]);
    } finally {
      await reader.close();
    }
  });
});

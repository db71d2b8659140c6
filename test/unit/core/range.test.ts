// The range semantics over an in-memory commit graph: no git, no files.
import { describe, expect, it } from 'vitest';
import type { ParsedCommit } from '../../../src/core/commit.js';
import { walkRange, type RangeGraph, type VerifiedCommits, type WalkRequest, type WalkStep } from '../../../src/core/range.js';

/** A 40-hex id for a short name, and back: ids must look like ids, the walk ignores anything else. */
const oid = (name: string): string => Buffer.from(name).toString('hex').padEnd(40, '0');
const nameOf = (id: string): string => Buffer.from(id.replace(/(00)+$/, ''), 'hex').toString();

/** A graph from `child: parents` lines; every commit is a plain, unsigned one. */
function graph(edges: Record<string, string[]>): RangeGraph {
  const parents = new Map(Object.entries(edges).map(([child, ps]) => [oid(child), ps.map(oid)]));
  const ancestors = (roots: readonly string[]): Set<string> => {
    const seen = new Set(roots);
    const queue = [...roots];
    while (queue.length > 0) for (const p of parents.get(queue.pop()!) ?? []) if (!seen.has(p)) (seen.add(p), queue.push(p));
    return seen;
  };
  return {
    hashAlgo: 'sha1',
    commit: async (id) => (parents.has(id) ? ({ parents: parents.get(id)!, tree: null, committerTime: null, subject: id, problems: [], otherAlgorithmSignature: false, signature: null, payload: new Uint8Array() } satisfies ParsedCommit) : null),
    isAncestor: async (a, d) => ancestors([d]).has(a),
    trustedBy: async (since) => ancestors([since]),
    prefetchRange: async () => null,
    countRange: async () => null,
    missing: (id) => new Error(`missing ${id}`),
  };
}

// r ← a ← m (merge of a and b) ← t;  r ← b
const HISTORY = { r: [], a: ['r'], b: ['r'], m: ['a', 'b'], t: ['m'] };

async function visited(request: WalkRequest, edges: Record<string, string[]> = HISTORY): Promise<{ seen: string[]; steps: WalkStep[]; result: Awaited<ReturnType<typeof walkRange>> }> {
  const steps: WalkStep[] = [];
  const result = await walkRange(graph(edges), request, async (step) => void steps.push(step));
  return { seen: steps.map((step) => nameOf(step.oid)), steps, result };
}

/** What a cache remembers of passing walks: each visited commit with what the walk went on to below it. */
function remembered(...walks: WalkStep[][]): VerifiedCommits {
  const requires = new Map(walks.flat().map((step) => [step.oid, step.requires]));
  return { has: (id) => requires.has(id), requires: (id) => requires.get(id) ?? [], heads: walks.map((steps) => steps[0]!.oid) };
}

/** The steps as names, checked ones plain and cached ones starred. */
const shown = (steps: WalkStep[]): string[] => steps.map((step) => nameOf(step.oid) + (step.cached ? '*' : ''));

// HISTORY, then c on a and u merging c into t: u's walk meets verified commits below new ones
const LATER = { ...HISTORY, c: ['a'], u: ['t', 'c'], v: ['c'] };

describe('walkRange', () => {
  it('tip: only the target', async () => {
    expect((await visited({ target: oid('t'), since: null, mode: 'tip' })).seen).toEqual(['t']);
  });

  it('first-parent: the chain down to the trust root, not what a merge brings in', async () => {
    const { seen, result } = await visited({ target: oid('t'), since: oid('r'), mode: 'first-parent' });
    expect(seen).toEqual(['t', 'm', 'a']);
    expect(result.descends).toBe(true);
  });

  it('all: every commit not below the trust root', async () => {
    expect((await visited({ target: oid('t'), since: oid('r'), mode: 'all' })).seen.sort()).toEqual(['a', 'b', 'm', 't']);
  });

  it('a target that does not descend from the trust root is reported, and still walked', async () => {
    const { result } = await visited({ target: oid('a'), since: oid('b'), mode: 'first-parent' });
    expect(result.descends).toBe(false);
  });

  it('below a commit the cache vouches for, the walk lists what it required, without reading it, and reports where checking stopped', async () => {
    const earlier = await visited({ target: oid('m'), since: oid('r'), mode: 'all' });
    const { steps, result } = await visited({ target: oid('t'), since: oid('r'), mode: 'all', verified: remembered(earlier.steps) });
    expect(shown(steps)).toEqual(['t', 'm*', 'a*', 'b*']);
    expect(result.reused).toEqual([oid('m')]);
  });

  for (const mode of ['tip', 'first-parent', 'all'] as const) {
    for (const since of [null, 'r']) {
      it(`${mode}${since ? ' since r' : ''}: a cached walk lists the commits of a full walk, in the same order`, async () => {
        const request = { since: since && oid(since), mode };
        const first = await visited({ ...request, target: oid('t') }, LATER);
        for (const target of ['t', 'u', 'v']) {
          const full = await visited({ ...request, target: oid(target) }, LATER);
          const cached = await visited({ ...request, target: oid(target), verified: remembered(first.steps) }, LATER);
          expect(cached.seen).toEqual(full.seen);
          expect(cached.steps.map((step) => step.requires)).toEqual(full.steps.map((step) => step.requires));
          // exactly what the first walk verified comes from the cache
          expect(cached.steps.filter((step) => step.cached).map((step) => nameOf(step.oid)).sort()).toEqual(full.seen.filter((name) => first.seen.includes(name)).sort());
        }
      });
    }
  }

  it('first-parent: a chain that joins a verified chain below its target goes on through the cache', async () => {
    const earlier = await visited({ target: oid('t'), since: null, mode: 'first-parent' }, LATER);
    const { steps, result } = await visited({ target: oid('v'), since: null, mode: 'first-parent', verified: remembered(earlier.steps) }, LATER);
    expect(shown(steps)).toEqual(['v', 'c', 'a*', 'r*']);
    expect(result.reused).toEqual([oid('a')]);
  });

  it('a target the cache vouches for is listed from it alone', async () => {
    const earlier = await visited({ target: oid('u'), since: oid('r'), mode: 'all' }, LATER);
    const { steps, result } = await visited({ target: oid('u'), since: oid('r'), mode: 'all', verified: remembered(earlier.steps) }, { u: [] });
    expect(shown(steps)).toEqual(shown(earlier.steps).map((name) => `${name}*`));
    expect(result.reused).toEqual([oid('u')]);
  });

  it('a commit the range needs but the graph lacks is an error, not a silent stop', async () => {
    await expect(visited({ target: oid('t'), since: null, mode: 'all' }, { t: ['x'] })).rejects.toThrow(/missing/);
  });
});

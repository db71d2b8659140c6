// The range semantics over an in-memory commit graph: no git, no files.
import { describe, expect, it } from 'vitest';
import type { ParsedCommit } from '../../../src/core/commit.js';
import { walkRange, type RangeGraph } from '../../../src/core/range.js';

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
    ancestors: async (roots) => ancestors(roots),
    prefetchRange: async () => {},
    missing: (id) => new Error(`missing ${id}`),
  };
}

// r ← a ← m (merge of a and b) ← t;  r ← b
const HISTORY = { r: [], a: ['r'], b: ['r'], m: ['a', 'b'], t: ['m'] };

async function visited(request: Parameters<typeof walkRange>[1], edges: Record<string, string[]> = HISTORY): Promise<{ seen: string[]; result: Awaited<ReturnType<typeof walkRange>> }> {
  const seen: string[] = [];
  const result = await walkRange(graph(edges), request, async (id) => void seen.push(nameOf(id)));
  return { seen, result };
}

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

  it('a commit the cache vouches for ends the walk there and is reported as reused', async () => {
    const { seen, result } = await visited({ target: oid('t'), since: oid('r'), mode: 'all', verified: new Set([oid('m')]) });
    expect(seen).toEqual(['t']);
    expect(result.reused).toEqual([oid('m')]);
  });

  it('a commit the range needs but the graph lacks is an error, not a silent stop', async () => {
    await expect(visited({ target: oid('t'), since: null, mode: 'all' }, { t: ['x'] })).rejects.toThrow(/missing/);
  });
});

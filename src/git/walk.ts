import { parseCommit } from '../core/commit.js';
import { RepositoryError } from '../errors.js';
import type { RangeMode } from '../commands/types.js';
import type { ObjectReader } from './object-reader.js';

/** The commits a mode requires, newest first, and whether the target descends from the trust root. */
export interface RangeSelection {
  oids: string[];
  /** null without a trust root. */
  descends: boolean | null;
}

/** Parents of commits, read once per walk. */
class ParentIndex {
  private readonly parents = new Map<string, string[] | null>();
  constructor(private readonly reader: ObjectReader) {}

  /** Valid parent ids of `oid`, or null when the commit is not in the repository. */
  async get(oid: string): Promise<string[] | null> {
    const known = this.parents.get(oid);
    if (known !== undefined) return known;
    const object = await this.reader.read(oid);
    const oidPattern = this.reader.hashAlgo === 'sha256' ? /^[0-9a-f]{64}$/ : /^[0-9a-f]{40}$/;
    const parents =
      object?.type === 'commit' ? parseCommit(object.content, this.reader.hashAlgo).parents.filter((p) => oidPattern.test(p)) : null;
    this.parents.set(oid, parents);
    return parents;
  }

  async require(oid: string): Promise<string[]> {
    const parents = await this.get(oid);
    if (parents === null) {
      throw new RepositoryError(`commit ${oid} is missing from the repository (shallow clone?); fetch the history back to the trust root`);
    }
    return parents;
  }
}

/**
 * Select the commits to check. `all`: reachable from target and not from the trust root; `first-parent`:
 * the first-parent chain from target until a commit the trust root already vouches for; `tip`: the target.
 */
export async function selectRange(reader: ObjectReader, target: string, since: string | null, mode: RangeMode): Promise<RangeSelection> {
  const index = new ParentIndex(reader);
  const trusted = since ? await collectAncestors(index, since) : new Set<string>();
  const reachable = mode === 'all' || since ? await collectNew(index, target, trusted) : null;
  const descends = since ? target === since || (reachable?.touchedTrustRoot(since) ?? false) : null;
  if (mode === 'tip') return { oids: [target], descends };
  if (mode === 'all') return { oids: reachable!.oids, descends };
  const chain: string[] = [];
  for (let oid: string | undefined = target; oid !== undefined && !trusted.has(oid); ) {
    chain.push(oid);
    oid = (await index.require(oid))[0];
  }
  return { oids: chain, descends };
}

/** Every commit reachable from `start`, itself included; missing history ends the walk (the trust root side may be shallow). */
async function collectAncestors(index: ParentIndex, start: string): Promise<Set<string>> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const parents = await index.get(queue.pop()!);
    for (const parent of parents ?? []) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return seen;
}

/** Commits reachable from `target` but not in `trusted`, breadth-first (newest first), noting trusted commits reached. */
async function collectNew(index: ParentIndex, target: string, trusted: Set<string>) {
  const oids: string[] = [];
  const touched = new Set<string>();
  const seen = new Set<string>([target]);
  const queue = trusted.has(target) ? [] : [target];
  if (trusted.has(target)) touched.add(target);
  for (let head = 0; head < queue.length; head++) {
    const oid = queue[head]!;
    oids.push(oid);
    for (const parent of await index.require(oid)) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      if (trusted.has(parent)) touched.add(parent);
      else queue.push(parent);
    }
  }
  return { oids, touchedTrustRoot: (root: string) => touched.has(root) };
}

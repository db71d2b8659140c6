/**
 * Which commits a mode requires between a trust root and a target, and in what order they are visited:
 * the range semantics, pure over an injected commit graph (git and isomorphic-git both provide one).
 */
import type { HashAlgo } from './bytes.js';
import type { ParsedCommit } from './commit.js';
import type { RangeMode } from './report.js';

/** What the walk needs of a repository. Parents always come from the commits' own bytes. */
export interface RangeGraph {
  readonly hashAlgo: HashAlgo;
  /** The commit, parsed; null when the object is missing or not a commit. */
  commit(oid: string): Promise<ParsedCommit | null>;
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** Every commit reachable from `roots`, roots included. */
  ancestors(roots: readonly string[]): Promise<ReadonlySet<string>>;
  /** A hint that the walk from `target` down to `exclude` is about to read these commits. */
  prefetchRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<void>;
  /** The error for a commit the range needs but the repository does not have (a shallow clone, a broken one). */
  missing(oid: string): Error;
}

/** A commit the mode requires, read once and handed to the caller to check (null: not a readable commit). */
export type CommitVisitor = (oid: string, commit: ParsedCommit | null) => Promise<void>;

export interface WalkRequest {
  target: string;
  since: string | null;
  mode: RangeMode;
  /** Commits an earlier run under the same policy verified together with everything they require. */
  verified?: ReadonlySet<string>;
}

export interface WalkResult {
  /** null without a trust root. */
  descends: boolean | null;
  /** Commits in `verified` where the walk stopped. */
  reused: string[];
}

/**
 * Visit the commits a mode requires, newest first. `all`: reachable from target and not from the trust
 * root; `first-parent`: the first-parent chain from target until a commit the trust root already
 * vouches for; `tip`: the target. A commit the cache vouches for ends the walk there.
 */
export async function walkRange(graph: RangeGraph, request: WalkRequest, visit: CommitVisitor): Promise<WalkResult> {
  const { target, since, mode } = request;
  const verified = request.verified ?? new Set<string>();
  const descends = since ? target === since || (await graph.isAncestor(since, target)) : null;
  const reused: string[] = [];
  if (verified.has(target)) return { descends, reused: [target] };
  if (mode === 'tip') {
    await visit(target, await graph.commit(target));
    return { descends, reused };
  }
  const trusted = since ? await graph.ancestors([since]) : new Set<string>();
  await graph.prefetchRange(target, [...(since ? [since] : []), ...verified], mode === 'first-parent');
  const stop = (oid: string): boolean => {
    if (trusted.has(oid)) return true;
    if (verified.has(oid)) reused.push(oid);
    return verified.has(oid);
  };
  if (mode === 'first-parent') await walkFirstParent(graph, target, stop, visit);
  else await walkAll(graph, target, stop, visit);
  return { descends, reused };
}

async function walkFirstParent(graph: RangeGraph, target: string, stop: (oid: string) => boolean, visit: CommitVisitor): Promise<void> {
  for (let oid: string | undefined = target; oid !== undefined && !stop(oid); ) {
    const commit = await requireCommit(graph, oid);
    await visit(oid, commit);
    oid = validParents(graph.hashAlgo, commit)[0];
  }
}

async function walkAll(graph: RangeGraph, target: string, stop: (oid: string) => boolean, visit: CommitVisitor): Promise<void> {
  const seen = new Set<string>([target]);
  const queue = [target];
  for (let head = 0; head < queue.length; head++) {
    const oid = queue[head]!;
    // drop visited entries now and then: a 100,000-commit walk should not keep every id twice
    if (head === 4096) {
      queue.splice(0, head);
      head = 0;
    }
    const commit = await requireCommit(graph, oid);
    await visit(oid, commit);
    for (const parent of validParents(graph.hashAlgo, commit)) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      if (!stop(parent)) queue.push(parent);
    }
  }
}

async function requireCommit(graph: RangeGraph, oid: string): Promise<ParsedCommit> {
  const commit = await graph.commit(oid);
  if (commit === null) throw graph.missing(oid);
  return commit;
}

const OID: Record<HashAlgo, RegExp> = { sha1: /^[0-9a-f]{40}$/, sha256: /^[0-9a-f]{64}$/ };

function validParents(hashAlgo: HashAlgo, commit: ParsedCommit): string[] {
  return commit.parents.filter((parent) => OID[hashAlgo].test(parent));
}

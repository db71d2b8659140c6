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
  /**
   * Which commits the trust root `since` vouches for (it reaches them), as the walk from `target` asks:
   * answers are exact for `target` and for every parent of a commit that `target` reaches and `since`
   * does not, and may be false elsewhere. Costs what the range costs, not what the root's depth does.
   */
  trustedBy(since: string, target: string): Promise<TrustedAncestors>;
  /** A hint that the walk from `target` down to `exclude` is about to read these commits; resolves to how many, when known. */
  prefetchRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<number | null>;
  /** How many commits a walk from `target` down to `exclude` visits, when the graph can tell cheaply; else null. */
  countRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<number | null>;
  /** The error for a commit the range needs but the repository does not have (a shallow clone, a broken one). */
  missing(oid: string): Error;
}

/** The ancestors of a trust root the walk may meet: see {@link RangeGraph.trustedBy}. */
export interface TrustedAncestors {
  has(oid: string): boolean;
  /** Whether the target reaches the trust root, when the answer tells; else the walk asks `isAncestor`. */
  readonly reachesRoot?: boolean;
}

/**
 * Commits an earlier passing run under the same policy (mode and trust root included) verified, each
 * together with everything it requires: whatever the walk reaches from one of them is verified too.
 */
export interface VerifiedCommits {
  has(oid: string): boolean;
  /** What a verified commit requires in turn, as that run's walk found it: the parents the mode follows, less those the trust root vouches for. */
  requires(oid: string): readonly string[];
  /** Verified commits whose requirements cover the others: where reading ahead can stop. */
  readonly heads: readonly string[];
}

/** One commit the mode requires, in the order a full walk lists them. */
export type WalkStep =
  /** To be checked: its bytes (null: not a readable commit, tip mode only). */
  | { oid: string; cached: false; commit: ParsedCommit | null; requires: readonly string[] }
  /** Verified by an earlier run: nothing to read or check. */
  | { oid: string; cached: true; requires: readonly string[] };

/** Called for each step in order; the walk waits for a returned promise (back-pressure) and goes straight on otherwise. */
export type CommitVisitor = (step: WalkStep) => Promise<void> | void;

export interface WalkRequest {
  target: string;
  since: string | null;
  mode: RangeMode;
  verified?: VerifiedCommits;
  /** Told how many commits the walk is about to read, when the graph knows before the first. */
  expect?: (count: number) => void;
}

export interface WalkResult {
  /** null without a trust root. */
  descends: boolean | null;
  /** Verified commits where checking stopped: the target, or those a checked commit requires. */
  reused: string[];
}

const NOTHING_VERIFIED: VerifiedCommits = { has: () => false, requires: () => [], heads: [] };
const NOTHING_TRUSTED: TrustedAncestors = { has: () => false };

/**
 * Visit the commits a mode requires, newest first. `all`: reachable from target and not from the trust
 * root, breadth first; `first-parent`: the first-parent chain from target until a commit the trust root
 * already vouches for; `tip`: the target. Below a verified commit the walk goes on through what the cache
 * remembers of it, without reading: the order and the list are those of a walk without a cache.
 */
export async function walkRange(graph: RangeGraph, request: WalkRequest, visit: CommitVisitor): Promise<WalkResult> {
  const { target, since, mode } = request;
  const verified = request.verified ?? NOTHING_VERIFIED;
  const reused = new Set<string>();
  if (verified.has(target)) reused.add(target);
  if (mode === 'tip') {
    const descends = since ? target === since || (await graph.isAncestor(since, target)) : null;
    await visit(verified.has(target) ? { oid: target, cached: true, requires: [] } : { oid: target, cached: false, commit: await graph.commit(target), requires: [] });
    return { descends, reused: [...reused] };
  }
  // everything below a verified commit is verified: ancestry and reading ahead are only needed above one
  let trusted = NOTHING_TRUSTED;
  if (!verified.has(target)) {
    const prefetching = graph.prefetchRange(target, [...(since ? [since] : []), ...verified.heads], mode === 'first-parent');
    trusted = since ? await graph.trustedBy(since, target) : trusted;
    const count = await prefetching;
    if (count !== null) request.expect?.(count);
  }
  const descends = since ? target === since || (trusted.reachesRoot ?? (await graph.isAncestor(since, target))) : null;
  // a verified commit is answered from memory: no promise, no tick, for each of 10,000 cached commits
  const step = (oid: string): WalkStep | Promise<WalkStep> => (verified.has(oid) ? { oid, cached: true, requires: verified.requires(oid) } : readStep(oid));
  const readStep = async (oid: string): Promise<WalkStep> => {
    const commit = await requireCommit(graph, oid);
    const parents = validParents(graph.hashAlgo, commit);
    const requires = (mode === 'first-parent' ? parents.slice(0, 1) : parents).filter((parent) => !trusted.has(parent));
    for (const parent of requires) if (verified.has(parent)) reused.add(parent);
    return { oid, cached: false, commit, requires };
  };
  if (mode === 'all') await walkAll(target, step, visit);
  // a first-parent target the trust root already vouches for requires nothing
  else if (!trusted.has(target)) await walkFirstParent(target, step, visit);
  return { descends, reused: [...reused] };
}

type Step = (oid: string) => WalkStep | Promise<WalkStep>;

/** Whether a value is a promise, to wait only when there is something to wait for. */
function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

async function walkFirstParent(target: string, step: Step, visit: CommitVisitor): Promise<void> {
  for (let oid: string | undefined = target; oid !== undefined; ) {
    const next = step(oid);
    const current = isPromise(next) ? await next : next;
    const visited = visit(current);
    if (visited) await visited;
    oid = current.requires[0];
  }
}

async function walkAll(target: string, step: Step, visit: CommitVisitor): Promise<void> {
  const seen = new Set<string>([target]);
  const queue = [target];
  for (let head = 0; head < queue.length; head++) {
    const oid = queue[head]!;
    // drop visited entries now and then: a 100,000-commit walk should not keep every id twice
    if (head === 4096) {
      queue.splice(0, head);
      head = 0;
    }
    const next = step(oid);
    const current = isPromise(next) ? await next : next;
    const visited = visit(current);
    if (visited) await visited;
    for (const parent of current.requires) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      queue.push(parent);
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

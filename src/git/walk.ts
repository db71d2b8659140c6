import { parseCommit, type ParsedCommit } from '../core/commit.js';
import { RepositoryError } from '../errors.js';
import type { RangeMode } from '../commands/types.js';
import { historyFor } from './history.js';
import type { ObjectReader } from './object-reader.js';

/** A commit the mode requires, read once and handed to the caller to check. */
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
 * vouches for; `tip`: the target. Parents come from the bytes of the commits themselves.
 */
export async function walkRange(reader: ObjectReader, request: WalkRequest, visit: CommitVisitor): Promise<WalkResult> {
  const history = historyFor(reader);
  const { target, since, mode } = request;
  const verified = request.verified ?? new Set<string>();
  const descends = since ? target === since || (await history.isAncestor(since, target)) : null;
  const reused: string[] = [];
  if (verified.has(target)) return { descends, reused: [target] };
  if (mode === 'tip') {
    await visit(target, await readCommit(reader, target));
    return { descends, reused };
  }
  const trusted = since ? await history.ancestors([since]) : new Set<string>();
  await history.prefetchRange(target, [...(since ? [since] : []), ...verified], mode === 'first-parent');
  const stop = (oid: string): boolean => {
    if (trusted.has(oid)) return true;
    if (verified.has(oid)) reused.push(oid);
    return verified.has(oid);
  };
  if (mode === 'first-parent') await walkFirstParent(reader, target, stop, visit);
  else await walkAll(reader, target, stop, visit);
  return { descends, reused };
}

async function walkFirstParent(reader: ObjectReader, target: string, stop: (oid: string) => boolean, visit: CommitVisitor): Promise<void> {
  for (let oid: string | undefined = target; oid !== undefined && !stop(oid); ) {
    const commit = await requireCommit(reader, oid);
    await visit(oid, commit);
    oid = validParents(reader, commit)[0];
  }
}

async function walkAll(reader: ObjectReader, target: string, stop: (oid: string) => boolean, visit: CommitVisitor): Promise<void> {
  const seen = new Set<string>([target]);
  const queue = [target];
  for (let head = 0; head < queue.length; head++) {
    const oid = queue[head]!;
    // drop visited entries now and then: a 100,000-commit walk should not keep every id twice
    if (head === 4096) {
      queue.splice(0, head);
      head = 0;
    }
    const commit = await requireCommit(reader, oid);
    await visit(oid, commit);
    for (const parent of validParents(reader, commit)) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      if (!stop(parent)) queue.push(parent);
    }
  }
}

async function readCommit(reader: ObjectReader, oid: string): Promise<ParsedCommit | null> {
  const object = await reader.read(oid);
  return object?.type === 'commit' ? parseCommit(object.content, reader.hashAlgo) : null;
}

async function requireCommit(reader: ObjectReader, oid: string): Promise<ParsedCommit> {
  const commit = await readCommit(reader, oid);
  if (commit === null) {
    // a shallow boundary only ever hides history: the walk stops here rather than pass over what it cannot read
    const why = reader.overrides.shallow ? 'the repository is shallow and the range reaches below its boundary' : 'it is missing from the repository';
    throw new RepositoryError(`cannot read commit ${oid}: ${why}; fetch the history back to the trust root (git fetch --unshallow)`);
  }
  return commit;
}

function validParents(reader: ObjectReader, commit: ParsedCommit): string[] {
  const pattern = reader.hashAlgo === 'sha256' ? /^[0-9a-f]{64}$/ : /^[0-9a-f]{40}$/;
  return commit.parents.filter((parent) => pattern.test(parent));
}

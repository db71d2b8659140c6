import { parseCommit, type ParsedCommit } from '../core/commit.js';
import type { RangeGraph } from '../core/range.js';
import { RepositoryError } from '../core/errors.js';
import { historyFor } from './history.js';
import type { ObjectReader } from './object-reader.js';

/** The commit graph of a repository as the range walk reads it: objects from the reader, ancestry from git (or a walk). */
export function rangeGraphOf(reader: ObjectReader): RangeGraph {
  const history = historyFor(reader);
  return {
    hashAlgo: reader.hashAlgo,
    commit: (oid) => readCommit(reader, oid),
    isAncestor: (ancestor, descendant) => history.isAncestor(ancestor, descendant),
    trustedBy: (since, target) => history.trustedBy(since, target),
    prefetchRange: (target, exclude, firstParent) => history.prefetchRange(target, exclude, firstParent),
    countRange: (target, exclude, firstParent) => history.countRange(target, exclude, firstParent),
    missing: (oid) => {
      // a shallow boundary only ever hides history: the walk stops here rather than pass over what it cannot read
      const why = reader.overrides.shallow ? 'the repository is shallow and the range reaches below its boundary' : 'it is missing from the repository';
      return new RepositoryError(`cannot read commit ${oid}: ${why}; fetch the history back to the trust root (git fetch --unshallow)`);
    },
  };
}

/** The commit `oid` parsed, or null when it is not a commit in the repository. */
export async function readCommit(reader: ObjectReader, oid: string): Promise<ParsedCommit | null> {
  const object = await reader.read(oid);
  return object?.type === 'commit' ? parseCommit(object.content, reader.hashAlgo) : null;
}

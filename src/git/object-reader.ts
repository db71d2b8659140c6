import type { HashAlgo } from '../core/bytes.js';
import type { HistoryOverrides } from './overrides.js';

/** How objects are read: one `git cat-file --batch` process, or isomorphic-git when no `git` is installed. */
export type ReaderKind = 'auto' | 'git' | 'isomorphic';

/** A raw git object. */
export interface GitObject {
  oid: string;
  type: 'commit' | 'tag' | 'tree' | 'blob';
  content: Uint8Array;
}

/** Reads raw objects and resolves revisions of one repository. */
export interface ObjectReader {
  readonly hashAlgo: HashAlgo;
  readonly kind: 'git' | 'isomorphic';
  /** The repository's git directory (absolute). */
  readonly gitDir: string;
  /** Replace refs, a graft file, a shallow boundary: what plain git would make of this repository; readers read the objects themselves. */
  readonly overrides: HistoryOverrides;
  /** The object, or null when it is not in the repository. */
  read(oid: string): Promise<GitObject | null>;
  /** The object a revision names (not peeled), or null when it names nothing. */
  resolve(rev: string): Promise<string | null>;
  /**
   * Hint that these objects will be read soon, roughly in this order; a reader may fetch ahead.
   * Correctness never depends on it: `read` returns the same objects either way.
   */
  prefetch(oids: readonly string[]): void;
  close(): Promise<void>;
}

/** Revisions are passed to git on a line of their own: refuse anything that could smuggle another request. */
export function isPlausibleRevision(rev: string): boolean {
  return rev.length > 0 && rev.length < 1024 && !/[\0\n\r]/.test(rev) && !rev.startsWith('-');
}

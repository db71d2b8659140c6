/**
 * The objects an in-repository policy reads, by id and type: commits' tree and parent lines (remembered),
 * trees and blobs. A missing object, or one of another type, is a RepositoryError naming it.
 */
import { RepositoryError } from '../core/errors.js';
import type { ObjectReader } from './object-reader.js';

/** A commit's tree and parents. */
export interface CommitHead {
  tree: string;
  parents: string[];
}

/** Reads commits' heads (once each), trees and blobs from one repository. */
export class CommitHeads {
  private readonly heads = new Map<string, Promise<CommitHead>>();

  constructor(readonly reader: ObjectReader) {}

  /** A commit's tree and parents. */
  head(commit: string): Promise<CommitHead> {
    let head = this.heads.get(commit);
    if (!head) {
      head = this.object(commit, 'commit').then((content) => headOf(content, commit));
      this.heads.set(commit, head);
    }
    return head;
  }

  /** Remember a commit the caller already parsed, so that no read of it follows. */
  remember(oid: string, head: CommitHead): void {
    if (!this.heads.has(oid)) this.heads.set(oid, Promise.resolve(head));
  }

  /** An object's content, which must be of `type`. */
  async object(oid: string, type: 'commit' | 'tree' | 'blob'): Promise<Uint8Array> {
    const object = await this.reader.read(oid);
    if (object?.type !== type) throw new RepositoryError(`cannot read ${type} ${oid}: it is missing from the repository; fetch the whole history`);
    return object.content;
  }
}

/** The tree and parents of a raw commit: its first header lines, read without decoding the rest. */
export function headOf(content: Uint8Array, commit: string): CommitHead {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.length);
  let tree: string | undefined;
  const parents: string[] = [];
  for (let at = 0; ; ) {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) break;
    const line = bytes.toString('latin1', at, end);
    at = end + 1;
    if (tree === undefined) {
      tree = /^tree ([0-9a-f]{40}|[0-9a-f]{64})$/.exec(line)?.[1];
      if (!tree) break;
      continue;
    }
    const parent = /^parent ([0-9a-f]{40}|[0-9a-f]{64})$/.exec(line)?.[1];
    if (!parent) break;
    parents.push(parent);
  }
  if (!tree) throw new RepositoryError(`commit ${commit} does not start with a tree header`);
  return { tree, parents };
}

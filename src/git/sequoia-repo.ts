/**
 * What `--policy sequoia` reads from a repository: the `openpgp-policy.toml` at the root of any commit's
 * tree (parsed once per blob: most commits share one) and each commit's parents.
 */
import { parseSequoiaPolicy, SEQUOIA_POLICY_FILE, type SequoiaPolicy } from '../core/sequoia-policy.js';
import { RepositoryError } from '../core/errors.js';
import { findTreeEntry, isRegularFile } from '../core/tree.js';
import { headOf, type CommitHead } from './guix-repo.js';
import type { ObjectReader } from './object-reader.js';

/** A commit's policy: none, one that cannot be read, or the policy and its blob id. */
export type PolicyAt = { kind: 'none' } | { kind: 'unreadable'; blob: string; problem: string } | { kind: 'file'; blob: string; policy: SequoiaPolicy };

/** Reads sequoia-git's policy file from one repository, remembering what it read. */
export class SequoiaRepository {
  private readonly heads = new Map<string, Promise<CommitHead>>();
  private readonly policies = new Map<string, Promise<PolicyAt>>();
  private readonly blobs = new Map<string, Promise<PolicyAt>>();

  constructor(private readonly reader: ObjectReader) {}

  /** The parents of a commit, as its own bytes name them. */
  async parentsOf(commit: string): Promise<string[]> {
    return (await this.head(commit)).parents;
  }

  /** The policy at the root of a commit's tree. */
  policyAt(commit: string): Promise<PolicyAt> {
    let found = this.policies.get(commit);
    if (!found) {
      found = this.head(commit).then((head) => this.policyIn(head.tree));
      this.policies.set(commit, found);
    }
    return found;
  }

  private async policyIn(tree: string): Promise<PolicyAt> {
    const entry = findTreeEntry(await this.readObject(tree, 'tree'), SEQUOIA_POLICY_FILE, this.reader.hashAlgo);
    if (!entry) return { kind: 'none' };
    if (!isRegularFile(entry)) return { kind: 'unreadable', blob: entry.oid, problem: `it is not a regular file (mode ${entry.mode})` };
    let parsed = this.blobs.get(entry.oid);
    if (!parsed) {
      parsed = this.readObject(entry.oid, 'blob').then((bytes): PolicyAt => {
        const result = parseSequoiaPolicy(bytes);
        return result.ok ? { kind: 'file', blob: entry.oid, policy: result.policy } : { kind: 'unreadable', blob: entry.oid, problem: result.problem };
      });
      this.blobs.set(entry.oid, parsed);
    }
    return parsed;
  }

  private head(commit: string): Promise<CommitHead> {
    let head = this.heads.get(commit);
    if (!head) {
      head = this.readObject(commit, 'commit').then((content) => headOf(content, commit));
      this.heads.set(commit, head);
    }
    return head;
  }

  private async readObject(oid: string, type: 'commit' | 'tree' | 'blob'): Promise<Uint8Array> {
    const object = await this.reader.read(oid);
    if (object?.type !== type) throw new RepositoryError(`cannot read ${type} ${oid}: it is missing from the repository; fetch the whole history`);
    return object.content;
  }
}

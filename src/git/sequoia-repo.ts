/**
 * What `--policy sequoia` reads from a repository: the `openpgp-policy.toml` at the root of any commit's
 * tree (parsed once per blob: most commits share one) and each commit's parents.
 */
import { parseSequoiaPolicy, SEQUOIA_POLICY_FILE, type SequoiaPolicy } from '../core/sequoia-policy.js';
import { findTreeEntry, isRegularFile } from '../core/tree.js';
import { CommitHeads } from './commit-heads.js';
import type { ObjectReader } from './object-reader.js';

/** A commit's policy: none, one that cannot be read, or the policy and its blob id. */
export type PolicyAt = { kind: 'none' } | { kind: 'unreadable'; blob: string; problem: string } | { kind: 'file'; blob: string; policy: SequoiaPolicy };

/** Reads sequoia-git's policy file from one repository, remembering what it read. */
export class SequoiaRepository {
  private readonly objects: CommitHeads;
  private readonly policies = new Map<string, Promise<PolicyAt>>();
  private readonly blobs = new Map<string, Promise<PolicyAt>>();

  constructor(private readonly reader: ObjectReader) {
    this.objects = new CommitHeads(reader);
  }

  /** The parents of a commit, as its own bytes name them. */
  async parentsOf(commit: string): Promise<string[]> {
    return (await this.objects.head(commit)).parents;
  }

  /** The policy at the root of a commit's tree. */
  policyAt(commit: string): Promise<PolicyAt> {
    let found = this.policies.get(commit);
    if (!found) {
      found = this.objects.head(commit).then((head) => this.policyIn(head.tree));
      this.policies.set(commit, found);
    }
    return found;
  }

  private async policyIn(tree: string): Promise<PolicyAt> {
    const entry = findTreeEntry(await this.objects.object(tree, 'tree'), SEQUOIA_POLICY_FILE, this.reader.hashAlgo);
    if (!entry) return { kind: 'none' };
    if (!isRegularFile(entry)) return { kind: 'unreadable', blob: entry.oid, problem: `it is not a regular file (mode ${entry.mode})` };
    let parsed = this.blobs.get(entry.oid);
    if (!parsed) {
      parsed = this.objects.object(entry.oid, 'blob').then((bytes): PolicyAt => {
        const result = parseSequoiaPolicy(bytes);
        return result.ok ? { kind: 'file', blob: entry.oid, policy: result.policy } : { kind: 'unreadable', blob: entry.oid, problem: result.problem };
      });
      this.blobs.set(entry.oid, parsed);
    }
    return parsed;
  }

}

import { parseCommit } from '../core/commit.js';
import type { ObjectReader } from './object-reader.js';
import { isAncestor } from './refs.js';
import { runGit } from './run-git.js';

/** Ancestry questions about a repository, answered by git when it is installed and by walking objects when not. */
export interface History {
  /** Every commit reachable from `roots`, roots included; missing history (shallow clones) ends the walk. */
  ancestors(roots: readonly string[]): Promise<Set<string>>;
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** Start reading the commits a walk from `target` will need, stopping at `exclude`. */
  prefetchRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<void>;
  /** How many commits are reachable from `target` and not from `exclude` (first parents only, if asked); null when only a full walk could tell. */
  countRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<number | null>;
}

export function historyFor(reader: ObjectReader): History {
  return reader.kind === 'git' ? new GitHistory(reader) : new WalkingHistory(reader);
}

/**
 * `git rev-list` and `git merge-base` over the same objects, with replace refs and grafts disabled (gitEnv).
 * git still honours a shallow boundary, which only removes parents: fewer trusted ancestors, never more.
 */
class GitHistory implements History {
  constructor(private readonly reader: ObjectReader) {}

  async ancestors(roots: readonly string[]): Promise<Set<string>> {
    if (roots.length === 0) return new Set();
    return new Set(await this.revList([], roots));
  }

  isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return isAncestor(this.reader.gitDir, ancestor, descendant);
  }

  async prefetchRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<void> {
    this.reader.prefetch(await this.revList(firstParent ? ['--first-parent'] : [], [target, ...exclude.map((oid) => `^${oid}`)]));
  }

  async countRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<number | null> {
    const [count] = await this.revList(['--count', ...(firstParent ? ['--first-parent'] : [])], [target, ...exclude.map((oid) => `^${oid}`)]);
    return count !== undefined && /^\d+$/.test(count) ? Number(count) : null;
  }

  private async revList(flags: string[], revs: readonly string[]): Promise<string[]> {
    const args = ['--git-dir', this.reader.gitDir, 'rev-list', ...flags, '--stdin'];
    const result = await runGit(args, this.reader.gitDir, { input: Buffer.from(revs.join('\n') + '\n') });
    // a shallow or broken history still lets the walk itself decide; the list is only an accelerator here
    if (result.code !== 0) return [];
    return result.stdout.toString('latin1').split('\n').filter(Boolean);
  }
}

/** The same answers from our own walk over the object reader (isomorphic-git). */
class WalkingHistory implements History {
  constructor(private readonly reader: ObjectReader) {}

  async ancestors(roots: readonly string[]): Promise<Set<string>> {
    const seen = new Set<string>(roots);
    const queue = [...roots];
    while (queue.length > 0) {
      for (const parent of await this.parents(queue.pop()!)) {
        if (!seen.has(parent)) {
          seen.add(parent);
          queue.push(parent);
        }
      }
    }
    return seen;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.ancestors([descendant])).has(ancestor);
  }

  async prefetchRange(): Promise<void> {}

  // counting would read every commit twice; the progress shows a running count instead
  async countRange(): Promise<number | null> {
    return null;
  }

  private async parents(oid: string): Promise<string[]> {
    const object = await this.reader.read(oid);
    return object?.type === 'commit' ? parseCommit(object.content, this.reader.hashAlgo).parents : [];
  }
}

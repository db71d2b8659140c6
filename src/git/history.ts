import { parseCommit } from '../core/commit.js';
import type { TrustedAncestors } from '../core/range.js';
import type { ObjectReader } from './object-reader.js';
import { isAncestor } from './refs.js';
import { runGit, spawnGit } from './run-git.js';

/** Ancestry questions about a repository, answered by git when it is installed and by walking objects when not. */
export interface History {
  /** What `since` vouches for of the walk from `target` (see RangeGraph.trustedBy); missing history (shallow clones) vouches for nothing. */
  trustedBy(since: string, target: string): Promise<TrustedAncestors>;
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** Start reading the commits a walk from `target` will need, stopping at `exclude`, as they are listed; resolves to how many, when known. */
  prefetchRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<number | null>;
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
  /** Lists asked for before the walk needs them (a caller starting git early) are answered once. */
  private readonly lists = new Map<string, Promise<unknown>>();

  constructor(private readonly reader: ObjectReader) {}

  private once<T>(key: string, list: () => Promise<T>): Promise<T> {
    let listed = this.lists.get(key) as Promise<T> | undefined;
    if (!listed) {
      listed = list();
      this.lists.set(key, listed);
    }
    return listed;
  }

  /**
   * `rev-list --boundary TARGET ^SINCE` lists the range and, marked `-`, the root's ancestors that are
   * parents of a commit in it: exactly what the walk asks about, without listing the root's whole history.
   * A target outside the range is one the root reaches, and so is everything below it. The target reaches
   * the root exactly when the root is on the boundary: the first commit outside the range on a path from
   * the target down to the root is one the root reaches and that reaches the root, the root itself.
   */
  trustedBy(since: string, target: string): Promise<TrustedAncestors> {
    return this.once(`trusted\0${since}\0${target}`, () => this.listTrusted(since, target));
  }

  private async listTrusted(since: string, target: string): Promise<TrustedAncestors> {
    const lines = await this.tryRevList(['--boundary'], [target, `^${since}`]);
    // a history git cannot list vouches for nothing: the walk reads on and stops at what is missing
    if (lines === null) return NOTHING;
    const boundary = new Set<string>();
    let inRange = false;
    for (const line of lines) {
      if (line.startsWith('-')) boundary.add(line.slice(1));
      else if (line === target) inRange = true;
    }
    // a target the root reaches reaches the root only when it is the root, which the walk compares itself
    return inRange ? { has: (oid) => boundary.has(oid), reachesRoot: boundary.has(since) } : { has: () => true, reachesRoot: false };
  }

  isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return isAncestor(this.reader.gitDir, ancestor, descendant);
  }

  prefetchRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<number | null> {
    return this.once(`range\0${target}\0${exclude.join(' ')}\0${firstParent}`, () =>
      this.streamRevList(firstParent ? ['--first-parent'] : [], [target, ...exclude.map((oid) => `^${oid}`)]),
    );
  }

  /**
   * `git rev-list` whose commits are read ahead as its output arrives: git writes a few hundred ids at a
   * time, so `git cat-file` reads the first of them while the rest are listed (measured on 2 cores, 2,000
   * RSA commits: 377 -> 364 ms, median of 21). The walk itself still waits for the count: starting it
   * before was slower (403 ms), as the count then came too late to fit V8 to the range (process/v8-tuning).
   * A list git cannot make (a shallow or broken history) has no count: the walk alone then decides.
   */
  private streamRevList(flags: string[], revs: readonly string[]): Promise<number | null> {
    return new Promise<number | null>((resolve) => {
      let child;
      try {
        child = spawnGit(['--git-dir', this.reader.gitDir, 'rev-list', ...flags, '--stdin'], { cwd: this.reader.gitDir });
      } catch {
        return resolve(null);
      }
      let listed = 0;
      let partial = '';
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('latin1')).split('\n');
        partial = lines.pop()!;
        const oids = lines.filter(Boolean);
        listed += oids.length;
        this.reader.prefetch(oids);
      });
      child.stderr.resume();
      child.on('error', () => resolve(null));
      // the last line ends in a newline too: anything left over is a cut-off line, and the list incomplete
      child.on('close', (code) => resolve(code === 0 && partial === '' ? listed : null));
      child.stdin.on('error', () => {});
      child.stdin.end(revs.join('\n') + '\n');
    });
  }

  async countRange(target: string, exclude: readonly string[], firstParent: boolean): Promise<number | null> {
    const [count] = await this.revList(['--count', ...(firstParent ? ['--first-parent'] : [])], [target, ...exclude.map((oid) => `^${oid}`)]);
    return count !== undefined && /^\d+$/.test(count) ? Number(count) : null;
  }

  private async revList(flags: string[], revs: readonly string[]): Promise<string[]> {
    // a shallow or broken history still lets the walk itself decide; the list is only an accelerator here
    return (await this.tryRevList(flags, revs)) ?? [];
  }

  private async tryRevList(flags: string[], revs: readonly string[]): Promise<string[] | null> {
    const args = ['--git-dir', this.reader.gitDir, 'rev-list', ...flags, '--stdin'];
    const result = await runGit(args, this.reader.gitDir, { input: Buffer.from(revs.join('\n') + '\n') });
    if (result.code !== 0) return null;
    return result.stdout.toString('latin1').split('\n').filter(Boolean);
  }
}

const NOTHING: TrustedAncestors = { has: () => false };

/** The same answers from our own walk over the object reader (isomorphic-git). */
class WalkingHistory implements History {
  constructor(private readonly reader: ObjectReader) {}

  trustedBy(since: string): Promise<TrustedAncestors> {
    return this.ancestors([since]);
  }

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

  async prefetchRange(): Promise<number | null> {
    return null;
  }

  // counting would read every commit twice; the progress shows a running count instead
  async countRange(): Promise<number | null> {
    return null;
  }

  private async parents(oid: string): Promise<string[]> {
    const object = await this.reader.read(oid);
    return object?.type === 'commit' ? parseCommit(object.content, this.reader.hashAlgo).parents : [];
  }
}

import * as fs from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { parseCommit } from '../core/commit.js';
import { isPlausibleRevision, type GitObject, type ObjectReader } from './object-reader.js';
import type { HistoryOverrides } from './overrides.js';

/**
 * Reads objects through isomorphic-git, for machines without a `git` binary. SHA-1 repositories only.
 * `readObject`, `resolveRef` and `expandOid` consult neither `refs/replace/*` nor `info/grafts` nor `shallow`
 * (isomorphic-git reads those only in `log` and `fetch`), and parents always come from the commit bytes.
 */
export class IsomorphicReader implements ObjectReader {
  readonly kind = 'isomorphic' as const;
  readonly hashAlgo = 'sha1' as const;
  // isomorphic-git keeps parsed pack indexes here; sharing it across reads is what makes it usable
  private readonly cache: object = {};

  private constructor(
    readonly gitDir: string,
    readonly overrides: HistoryOverrides,
  ) {}

  /** Open a git dir, noting what plain git would read there in place of the objects' own history. */
  static async open(gitDir: string): Promise<IsomorphicReader> {
    const replaced = await git.listRefs({ fs, gitdir: gitDir, filepath: 'refs/replace' });
    const graftFile = join(gitDir, 'info', 'grafts');
    const shallowFile = join(gitDir, 'shallow');
    return new IsomorphicReader(gitDir, {
      replaceRefs: replaced.map((name) => `refs/replace/${name}`),
      graftFile: fs.existsSync(graftFile) ? graftFile : null,
      shallow: fs.existsSync(shallowFile) && fs.statSync(shallowFile).size > 0,
    });
  }

  async read(oid: string): Promise<GitObject | null> {
    if (!/^[0-9a-f]{40}$/.test(oid)) return null;
    try {
      const result = await git.readObject({ fs, gitdir: this.gitDir, oid, format: 'content', cache: this.cache });
      return { oid, type: result.type as GitObject['type'], content: result.object as Uint8Array };
    } catch (error) {
      if (error instanceof Error && (error as { code?: string }).code === 'NotFoundError') return null;
      throw error;
    }
  }

  /** Full or abbreviated ids and ref names, followed by any number of `~N` / `^N` steps. */
  async resolve(rev: string): Promise<string | null> {
    if (!isPlausibleRevision(rev)) return null;
    const match = /^(.*?)((?:[~^]\d*)*)$/.exec(rev)!;
    let oid = await this.resolveBase(match[1]!);
    for (const step of match[2]!.match(/[~^]\d*/g) ?? []) {
      if (oid === null) return null;
      const count = step.length > 1 ? Number(step.slice(1)) : 1;
      oid = step[0] === '~' ? await this.nthAncestor(oid, count) : await this.nthParent(oid, count);
    }
    return oid;
  }

  prefetch(): void {}

  async close(): Promise<void> {}

  private async resolveBase(name: string): Promise<string | null> {
    if (/^[0-9a-f]{40}$/.test(name)) return (await this.read(name)) ? name : null;
    try {
      return await git.resolveRef({ fs, gitdir: this.gitDir, ref: name });
    } catch {
      // not a ref: maybe an abbreviated object id
    }
    if (!/^[0-9a-f]{4,39}$/.test(name)) return null;
    try {
      return await git.expandOid({ fs, gitdir: this.gitDir, oid: name, cache: this.cache });
    } catch {
      return null;
    }
  }

  private async nthParent(oid: string, n: number): Promise<string | null> {
    const commit = await this.peelToCommit(oid);
    if (commit === null) return null;
    if (n === 0) return commit.oid;
    return parseCommit(commit.content, 'sha1').parents[n - 1] ?? null;
  }

  private async nthAncestor(oid: string, n: number): Promise<string | null> {
    let current: string | null = oid;
    for (let i = 0; i < n && current !== null; i++) current = await this.nthParent(current, 1);
    return current;
  }

  private async peelToCommit(oid: string): Promise<GitObject | null> {
    let object = await this.read(oid);
    for (let depth = 0; object?.type === 'tag' && depth < 16; depth++) {
      const target = /^object ([0-9a-f]{40})$/m.exec(new TextDecoder().decode(object.content));
      object = target ? await this.read(target[1]!) : null;
    }
    return object?.type === 'commit' ? object : null;
  }
}

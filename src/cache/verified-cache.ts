import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VerifiedCommits } from '../core/range.js';
import type { CommitReport } from '../core/report.js';
import { CACHE_FORMAT, decodeCache, encodeCache, type CacheContent, type CachedCommit } from './cache-file.js';

/** Enough recent targets for every branch a pipeline deploys; older ones are dropped. */
const MAX_HEADS = 256;
/** A bounded file: about 15 MB of JSON for typical subjects; longer histories are verified in full each time. */
const MAX_COMMITS = 100_000;
const MAX_BYTES = 64 * 1024 * 1024;

/** Everything that decides a verdict. Two runs share cache entries only when all of it is equal. */
export interface CacheKey {
  keysDigest: string;
  /** Resolved allow list, or null for "every key present". */
  allow: readonly string[] | null;
  mode: string;
  /** The trust root's commit id (never a name that can move), or null. */
  since: string | null;
  ignoreExpiry: boolean;
  allowWeak: boolean;
}

export function digestCacheKey(policy: CacheKey): string {
  const canonical = JSON.stringify({
    format: CACHE_FORMAT,
    keys: policy.keysDigest,
    allow: policy.allow ? [...policy.allow].sort() : null,
    mode: policy.mode,
    since: policy.since,
    ignoreExpiry: policy.ignoreExpiry,
    allowWeak: policy.allowWeak,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

const EMPTY: CacheContent = { heads: [], commits: new Map() };

/**
 * Commits that passing runs verified under one policy, each with what it requires and its report entry,
 * so that a later run lists them as a full run would. Lives under the repository's git directory, written
 * atomically, mode 0600; a file with broader permissions or unreadable content is ignored with a warning.
 */
export class VerifiedCache implements VerifiedCommits {
  private constructor(
    private readonly file: string,
    private readonly policy: string,
    private readonly content: CacheContent,
    private readonly warn: (message: string) => void,
  ) {}

  static async open(gitDir: string, policy: CacheKey, warn: (message: string) => void): Promise<VerifiedCache> {
    const digest = digestCacheKey(policy);
    const file = join(gitDir, 'siggate', `verified-${digest.slice(0, 32)}.json`);
    return new VerifiedCache(file, digest, await readContent(file, digest, warn), warn);
  }

  has(oid: string): boolean {
    return this.content.commits.has(oid);
  }

  requires(oid: string): readonly string[] {
    return this.content.commits.get(oid)?.requires ?? [];
  }

  get heads(): readonly string[] {
    return this.content.heads;
  }

  /** The report entry a full run gave `oid`, marked as coming from the cache. */
  report(oid: string): CommitReport {
    const commit = this.content.commits.get(oid);
    if (!commit) throw new Error(`commit ${oid} is not in the verification cache`);
    const { format, signer, signedAt, subject, reason } = commit;
    return { oid, status: 'valid', format, signer, signedAt, subject, reason, cached: true };
  }

  /**
   * Remember a passing run: `commits` as the report lists them, `requires[i]` what the walk went on to
   * below `commits[i]`. Older targets are kept while the bound allows. Failures to write only warn.
   */
  async record(target: string, commits: readonly CommitReport[], requires: readonly (readonly string[])[]): Promise<void> {
    // everything listed came from here: the target is remembered already
    if (commits.every((commit) => commit.cached)) return;
    if (commits.some((commit) => commit.status !== 'valid')) return;
    const kept = new Map<string, CachedCommit>();
    commits.forEach((report, i) => kept.set(report.oid, this.content.commits.get(report.oid) ?? toCached(report, requires[i] ?? [])));
    if (kept.size > MAX_COMMITS) {
      this.warn(`not caching this run: ${kept.size} commits, more than the cache holds (${MAX_COMMITS})`);
      return;
    }
    const heads = [target];
    for (const head of this.content.heads) {
      if (heads.length >= MAX_HEADS) break;
      if (kept.has(head)) continue;
      const added = this.closureOutside(head, kept);
      if (kept.size + added.length > MAX_COMMITS) break;
      for (const commit of added) kept.set(commit.oid, commit);
      heads.push(head);
    }
    const text = encodeCache(this.policy, { heads, commits: kept });
    if (text === null || text.length > MAX_BYTES) return;
    await this.write(text);
  }

  /** What `head` requires, itself included, that `kept` does not hold yet (kept is closed: its commits' requirements are in it). */
  private closureOutside(head: string, kept: ReadonlyMap<string, CachedCommit>): CachedCommit[] {
    const found = new Map<string, CachedCommit>();
    const queue = [head];
    while (queue.length > 0) {
      const oid = queue.pop()!;
      const commit = this.content.commits.get(oid);
      if (!commit || kept.has(oid) || found.has(oid)) continue;
      found.set(oid, commit);
      queue.push(...commit.requires);
    }
    return [...found.values()];
  }

  private async write(text: string): Promise<void> {
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
      await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      this.warn(`cannot write the verification cache ${this.file}: ${(error as Error).message}`);
    }
  }
}

function toCached(report: CommitReport, requires: readonly string[]): CachedCommit {
  const { oid, format, signer, signedAt, subject, reason } = report;
  return { oid, requires, format, signer, signedAt, subject, reason };
}

async function readContent(file: string, policy: string, warn: (message: string) => void): Promise<CacheContent> {
  const info = await lstat(file).catch(() => null);
  if (!info) return EMPTY;
  if (!info.isFile()) {
    warn(`ignoring the verification cache ${file}: not a regular file`);
    return EMPTY;
  }
  if ((info.mode & 0o077) !== 0) {
    warn(`ignoring the verification cache ${file}: its permissions ${(info.mode & 0o777).toString(8)} are broader than 600`);
    return EMPTY;
  }
  const decoded = decodeCache(await readFile(file, 'utf8').catch(() => ''), policy);
  if ('content' in decoded) return decoded.content;
  warn(`ignoring the verification cache ${file}: ${decoded.problem}`);
  return EMPTY;
}

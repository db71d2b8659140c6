import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VerifiedCommits } from '../core/range.js';
import type { CommitReport } from '../core/report.js';
import { CACHE_FORMAT, CacheTable, type CachedCommit } from './cache-file.js';

/** How much a cache file holds. */
export interface CacheLimits {
  /** Recent targets kept; older ones, and what only they required, are dropped. */
  heads: number;
  /** Commits kept; a run that alone requires more is not cached. */
  commits: number;
}

/** Enough recent targets for every branch a pipeline deploys; about 11 MB of JSON at most for typical subjects. */
const LIMITS: CacheLimits = { heads: 256, commits: 100_000 };
/** Subjects are cut at 1 kB when read, so this only bounds pathological histories. */
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
  /** An allow list kept in the repository (`guix <intro signer>`); absent for keys given outside it. */
  inRepository?: string;
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
    ...(policy.inRepository ? { inRepository: policy.inRepository } : {}),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Commits that passing runs verified under one policy, each with what it requires and its report entry,
 * so that a later run lists them as a full run would. Lives under the repository's git directory, written
 * atomically, mode 0600; a file with broader permissions or unreadable content is ignored with a warning.
 */
export class VerifiedCache implements VerifiedCommits {
  private constructor(
    private readonly file: string,
    private readonly policy: string,
    private readonly table: CacheTable,
    private readonly warn: (message: string) => void,
    private readonly limits: CacheLimits,
  ) {}

  /** The cache for `policy` in `gitDir` (empty when there is none, or it cannot be trusted: `warn` says why). */
  static async open(gitDir: string, policy: CacheKey, warn: (message: string) => void, limits: CacheLimits = LIMITS): Promise<VerifiedCache> {
    const digest = digestCacheKey(policy);
    const file = join(gitDir, 'siggate', `verified-${digest.slice(0, 32)}.json`);
    return new VerifiedCache(file, digest, await readTable(file, digest, warn), warn, limits);
  }

  has(oid: string): boolean {
    return this.table.has(oid);
  }

  requires(oid: string): readonly string[] {
    return this.table.requires(oid);
  }

  get heads(): readonly string[] {
    return this.table.heads;
  }

  /** The report entry a full run gave `oid`, marked as coming from the cache. */
  report(oid: string): CommitReport {
    const report = this.table.report(oid);
    if (!report) throw new Error(`commit ${oid} is not in the verification cache`);
    return report;
  }

  /**
   * Remember a passing run: `commits` as the report lists them, and for each one it checked (not cached)
   * what the walk went on to below it. New commits go in front of the file's; when a bound is reached,
   * the oldest targets and what only they required are dropped. Failures to write only warn.
   */
  async record(target: string, commits: readonly CommitReport[], requires: ReadonlyMap<string, readonly string[]>): Promise<void> {
    // everything listed came from here: the target is remembered already
    if (commits.every((commit) => commit.cached)) return;
    if (commits.some((commit) => commit.status !== 'valid')) return;
    if (commits.length > this.limits.commits) {
      this.warn(`not caching this run: ${commits.length} commits, more than the cache holds (${this.limits.commits})`);
      return;
    }
    const added = new Map<string, CachedCommit>();
    const known = new Set(this.table.heads);
    const covered = new Set<string>();
    for (const report of commits) {
      if (!report.cached) added.set(report.oid, toCached(report, requires.get(report.oid) ?? []));
      else if (known.has(report.oid)) covered.add(report.oid);
    }
    const heads = [target, ...this.table.heads.filter((head) => !covered.has(head))];
    const fits = heads.length <= this.limits.heads && this.table.size + added.size <= this.limits.commits;
    const text = fits ? this.table.encodeWith(this.policy, added, heads) : this.rebuild(target, commits, added);
    if (text === null || text.length > MAX_BYTES) return;
    await this.write(text);
  }

  /** A file with this run's commits, then older targets and what they require while the bounds allow. */
  private rebuild(target: string, commits: readonly CommitReport[], added: ReadonlyMap<string, CachedCommit>): string | null {
    const kept = new Map<string, CachedCommit>();
    for (const { oid } of commits) kept.set(oid, added.get(oid) ?? this.table.entry(oid)!);
    const heads = [target];
    for (const head of this.table.heads) {
      if (heads.length >= this.limits.heads) break;
      if (kept.has(head)) continue;
      const more = this.closureOutside(head, kept);
      if (kept.size + more.length > this.limits.commits) break;
      for (const commit of more) kept.set(commit.oid, commit);
      heads.push(head);
    }
    return CacheTable.EMPTY.encodeWith(this.policy, kept, heads);
  }

  /** What `head` requires, itself included, that `kept` does not hold yet (kept is closed: its commits' requirements are in it). */
  private closureOutside(head: string, kept: ReadonlyMap<string, CachedCommit>): CachedCommit[] {
    const found = new Map<string, CachedCommit>();
    const queue = [head];
    while (queue.length > 0) {
      const oid = queue.pop()!;
      if (kept.has(oid) || found.has(oid)) continue;
      const commit = this.table.entry(oid);
      if (!commit) continue;
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

async function readTable(file: string, policy: string, warn: (message: string) => void): Promise<CacheTable> {
  const info = await lstat(file).catch(() => null);
  if (!info) return CacheTable.EMPTY;
  if (!info.isFile()) {
    warn(`ignoring the verification cache ${file}: not a regular file`);
    return CacheTable.EMPTY;
  }
  if ((info.mode & 0o077) !== 0) {
    warn(`ignoring the verification cache ${file}: its permissions ${(info.mode & 0o777).toString(8)} are broader than 600`);
    return CacheTable.EMPTY;
  }
  const table = CacheTable.decode(await readFile(file, 'utf8').catch(() => ''), policy);
  if (table instanceof CacheTable) return table;
  warn(`ignoring the verification cache ${file}: ${table.problem}`);
  return CacheTable.EMPTY;
}

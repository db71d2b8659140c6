/**
 * The verification cache's table and its compact form on disk: every commit the remembered targets
 * required, once, with what its report entry needs and what it requires in turn; signers once each.
 */
import type { CommitReport } from '../core/report.js';
import type { SignatureFormat, Signer } from '../core/verdict.js';

/**
 * Bumped whenever verification logic or the file's shape changes: the policy digest includes it, so an
 * older file is never even opened, and one found under a current name is ignored.
 * 2: SSH and OpenPGP verdicts follow OpenSSH and GnuPG more closely, and git no longer honours
 * `info/grafts`, so a run before it may have stopped at a commit a graft file vouched for.
 * 3: the report entries of every verified commit, so that a cached run lists what a full run lists.
 */
export const CACHE_FORMAT = 3;

/** What the cache remembers of one verified commit: its report entry (always `valid`) and what the walk went on to below it. */
export interface CachedCommit {
  oid: string;
  requires: readonly string[];
  format: SignatureFormat;
  signer: CommitReport['signer'];
  signedAt: string | null;
  subject: string;
  reason: string | null;
}

type SignerRow = [fingerprint: string, signingKey: string, userId: string | null];
/**
 * `requires` holds offsets to later rows (so what is read back cannot loop, and rows keep their text when
 * new ones go in front); `signer` an index into the signers, -1 for none.
 */
type CommitRow = [oid: string, requires: number[], format: SignatureFormat, signer: number, signedAt: string | null, subject: string, reason: string | null];

interface CacheFile {
  format: number;
  policy: string;
  /** Targets of passing runs, newest first: every row is required by one of them. */
  heads: string[];
  signers: SignerRow[];
  commits: CommitRow[];
}

/** The commits a cache file holds, read without building an object per commit. */
export class CacheTable {
  private constructor(
    readonly heads: readonly string[],
    private readonly signers: readonly Signer[],
    private readonly rows: readonly CommitRow[],
    private readonly index: ReadonlyMap<string, number>,
  ) {}

  static readonly EMPTY = new CacheTable([], [], [], new Map());

  /** The table in a file's text, or why it cannot be used. */
  static decode(text: string, policy: string): CacheTable | { problem: string } {
    let parsed: Partial<CacheFile>;
    try {
      parsed = JSON.parse(text) as Partial<CacheFile>;
    } catch {
      return { problem: 'its content is corrupt' };
    }
    if (typeof parsed !== 'object' || parsed === null) return { problem: 'its content is corrupt' };
    if (parsed.format !== CACHE_FORMAT) return { problem: `it was written in another format (${String(parsed.format)}; this siggate writes ${CACHE_FORMAT})` };
    return (parsed.policy === policy && CacheTable.fromFile(parsed)) || { problem: 'its content is corrupt' };
  }

  private static fromFile({ heads, signers, commits }: Partial<CacheFile>): CacheTable | null {
    if (!Array.isArray(heads) || !Array.isArray(signers) || !Array.isArray(commits)) return null;
    if (!signers.every(isSignerRow)) return null;
    const index = new Map<string, number>();
    for (let i = 0; i < commits.length; i++) {
      const row: unknown = commits[i];
      if (!isCommitRow(row, commits.length - i, signers.length)) return null;
      index.set(row[0], i);
    }
    if (index.size !== commits.length || !heads.every((head) => typeof head === 'string' && index.has(head))) return null;
    const signerObjects = signers.map(([fingerprint, signingKey, userId]): Signer => ({ fingerprint, signingKey, userId }));
    return new CacheTable(heads, signerObjects, commits, index);
  }

  get size(): number {
    return this.rows.length;
  }

  has(oid: string): boolean {
    return this.index.has(oid);
  }

  requires(oid: string): string[] {
    const at = this.index.get(oid);
    return at === undefined ? [] : this.rows[at]![1].map((offset) => this.rows[at + offset]![0]);
  }

  /** The report entry a full run gave `oid`, marked as coming from the cache; undefined when the cache does not hold it. */
  report(oid: string): CommitReport | undefined {
    const at = this.index.get(oid);
    if (at === undefined) return undefined;
    const row = this.rows[at]!;
    return { oid, status: 'valid', format: row[2], signer: row[3] < 0 ? null : this.signers[row[3]]!, signedAt: row[4], subject: row[5], reason: row[6], cached: true };
  }

  /** The commit as the cache remembers it; undefined when it does not hold it. */
  entry(oid: string): CachedCommit | undefined {
    const report = this.report(oid);
    if (!report) return undefined;
    const { format, signer, signedAt, subject, reason } = report;
    return { oid, requires: this.requires(oid), format, signer, signedAt, subject, reason };
  }

  /**
   * The text of a file holding `added` (each requiring only added commits or this table's) in front of
   * this table's rows, which are written as they are; null when `added` does not fit on top of it.
   */
  encodeWith(policy: string, added: ReadonlyMap<string, CachedCommit>, heads: readonly string[]): string | null {
    const order = topologicalOrder(added, (oid) => this.index.has(oid));
    if (!order) return null;
    const at = new Map(order.map((commit, i) => [commit.oid, i]));
    const position = (oid: string): number => at.get(oid) ?? order.length + this.index.get(oid)!;
    const signers: SignerRow[] = this.signers.map((s) => [s.fingerprint, s.signingKey, s.userId]);
    const signerIndex = new Map(signers.map((row, i) => [JSON.stringify(row), i]));
    const signerRef = (signer: CachedCommit['signer']): number => {
      if (!signer) return -1;
      const row: SignerRow = [signer.fingerprint, signer.signingKey, signer.userId];
      const key = JSON.stringify(row);
      const known = signerIndex.get(key);
      if (known !== undefined) return known;
      signerIndex.set(key, signers.length);
      return signers.push(row) - 1;
    };
    const rows = order.map((c, i): CommitRow => [c.oid, c.requires.map((oid) => position(oid) - i), c.format, signerRef(c.signer), c.signedAt, c.subject, c.reason]);
    const file: CacheFile = { format: CACHE_FORMAT, policy, heads: [...heads], signers, commits: [...rows, ...this.rows] };
    return JSON.stringify(file) + '\n';
  }
}

const OID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const FORMATS: ReadonlySet<unknown> = new Set<SignatureFormat>(['openpgp', 'ssh', 'x509', 'none']);

function isSignerRow(row: unknown): row is SignerRow {
  return Array.isArray(row) && row.length === 3 && typeof row[0] === 'string' && typeof row[1] === 'string' && (row[2] === null || typeof row[2] === 'string');
}

/** `left`: rows from this one to the end, itself included; a required row lies within them, after this one. */
function isCommitRow(row: unknown, left: number, signers: number): row is CommitRow {
  // indexed reads, no destructuring: this runs once per cached commit, before the code is warm
  if (!Array.isArray(row) || row.length !== 7) return false;
  const requires: unknown = row[1];
  if (typeof row[0] !== 'string' || !OID.test(row[0]) || !Array.isArray(requires)) return false;
  for (let i = 0; i < requires.length; i++) if (!isInt(requires[i], 1, left)) return false;
  return (
    FORMATS.has(row[2]) &&
    isInt(row[3], -1, signers) &&
    (row[4] === null || typeof row[4] === 'string') &&
    typeof row[5] === 'string' &&
    (row[6] === null || typeof row[6] === 'string')
  );
}

function isInt(value: unknown, from: number, below: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= from && value < below;
}

/** Required commits after the commits requiring them; null when one is neither added nor `below`, or the history loops. */
function topologicalOrder(commits: ReadonlyMap<string, CachedCommit>, below: (oid: string) => boolean): CachedCommit[] | null {
  const pending = new Map<string, number>();
  for (const commit of commits.values()) {
    for (const oid of commit.requires) {
      if (commits.has(oid)) pending.set(oid, (pending.get(oid) ?? 0) + 1);
      else if (!below(oid)) return null;
    }
  }
  const ready = [...commits.values()].filter((commit) => !pending.has(commit.oid)).reverse();
  const order: CachedCommit[] = [];
  while (ready.length > 0) {
    const commit = ready.pop()!;
    order.push(commit);
    for (let i = commit.requires.length - 1; i >= 0; i--) {
      const oid = commit.requires[i]!;
      const left = pending.get(oid);
      if (left === undefined) continue;
      pending.set(oid, left - 1);
      if (left === 1) ready.push(commits.get(oid)!);
    }
  }
  return order.length === commits.size ? order : null;
}

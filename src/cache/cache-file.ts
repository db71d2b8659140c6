/**
 * The verification cache's content and its compact form on disk: every commit the remembered targets
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

/** A cache's content: targets of passing runs (newest first) and every commit they required. */
export interface CacheContent {
  heads: readonly string[];
  commits: ReadonlyMap<string, CachedCommit>;
}

type SignerRow = [fingerprint: string, signingKey: string, userId: string | null];
/** `requires` and `signer` are indices; -1: no signer. */
type CommitRow = [oid: string, requires: number[], format: SignatureFormat, signer: number, signedAt: string | null, subject: string, reason: string | null];

interface CacheFile {
  format: number;
  policy: string;
  heads: string[];
  signers: SignerRow[];
  /** Topologically ordered: `requires` points to later rows only, so what is read back cannot loop. */
  commits: CommitRow[];
}

/** The file's text, or null when the commits do not form a closed, acyclic history (nothing is written then). */
export function encodeCache(policy: string, content: CacheContent): string | null {
  const order = topologicalOrder(content.commits);
  if (!order) return null;
  const index = new Map(order.map((commit, i) => [commit.oid, i]));
  const signers: SignerRow[] = [];
  const signerIndex = new Map<string, number>();
  const signerRef = (signer: CachedCommit['signer']): number => {
    if (!signer) return -1;
    const key = `${signer.fingerprint}\n${signer.signingKey}\n${signer.userId ?? ''}\n${signer.userId === null}`;
    let ref = signerIndex.get(key);
    if (ref === undefined) {
      ref = signers.push([signer.fingerprint, signer.signingKey, signer.userId]) - 1;
      signerIndex.set(key, ref);
    }
    return ref;
  };
  const commits = order.map((c): CommitRow => [c.oid, c.requires.map((oid) => index.get(oid)!), c.format, signerRef(c.signer), c.signedAt, c.subject, c.reason]);
  const file: CacheFile = { format: CACHE_FORMAT, policy, heads: [...content.heads], signers, commits };
  return JSON.stringify(file) + '\n';
}

/** The content of a cache file, or why it cannot be used. */
export function decodeCache(text: string, policy: string): { content: CacheContent } | { problem: string } {
  let parsed: Partial<CacheFile>;
  try {
    parsed = JSON.parse(text) as Partial<CacheFile>;
  } catch {
    return { problem: 'its content is corrupt' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { problem: 'its content is corrupt' };
  if (parsed.format !== CACHE_FORMAT) return { problem: `it was written in another format (${String(parsed.format)}, this siggate writes ${CACHE_FORMAT})` };
  const content = parsed.policy === policy ? decodeContent(parsed) : null;
  return content ? { content } : { problem: 'its content is corrupt' };
}

function decodeContent({ heads, signers, commits }: Partial<CacheFile>): CacheContent | null {
  if (!Array.isArray(heads) || !Array.isArray(signers) || !Array.isArray(commits)) return null;
  if (!signers.every(isSignerRow)) return null;
  const signerObjects = signers.map(([fingerprint, signingKey, userId]): Signer => ({ fingerprint, signingKey, userId }));
  if (!commits.every((row, i) => isCommitRow(row, i, commits.length, signerObjects.length))) return null;
  const decoded = new Map<string, CachedCommit>();
  for (const [oid, requires, format, signer, signedAt, subject, reason] of commits) {
    const required = requires.map((i) => commits[i]![0]);
    decoded.set(oid, { oid, requires: required, format, signer: signer < 0 ? null : signerObjects[signer]!, signedAt, subject, reason });
  }
  if (decoded.size !== commits.length || !heads.every((head) => typeof head === 'string' && decoded.has(head))) return null;
  return { heads, commits: decoded };
}

const OID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const FORMATS: ReadonlySet<unknown> = new Set<SignatureFormat>(['openpgp', 'ssh', 'x509', 'none']);

function isSignerRow(row: unknown): row is SignerRow {
  return Array.isArray(row) && row.length === 3 && typeof row[0] === 'string' && typeof row[1] === 'string' && (row[2] === null || typeof row[2] === 'string');
}

function isCommitRow(row: unknown, at: number, rows: number, signers: number): row is CommitRow {
  if (!Array.isArray(row) || row.length !== 7) return false;
  const [oid, requires, format, signer, signedAt, subject, reason] = row as unknown[];
  const isIndex = (value: unknown, below: number): boolean => Number.isInteger(value) && (value as number) < below;
  return (
    typeof oid === 'string' && OID.test(oid) &&
    Array.isArray(requires) && requires.every((i) => isIndex(i, rows) && (i as number) > at) &&
    FORMATS.has(format) &&
    isIndex(signer, signers) && (signer as number) >= -1 &&
    (signedAt === null || typeof signedAt === 'string') &&
    typeof subject === 'string' &&
    (reason === null || typeof reason === 'string')
  );
}

/** Required commits after the commits requiring them; null when one is missing or the history loops. */
function topologicalOrder(commits: ReadonlyMap<string, CachedCommit>): CachedCommit[] | null {
  const pending = new Map<string, number>();
  for (const commit of commits.values()) {
    for (const oid of commit.requires) {
      if (!commits.has(oid)) return null;
      pending.set(oid, (pending.get(oid) ?? 0) + 1);
    }
  }
  const ready = [...commits.values()].filter((commit) => !pending.has(commit.oid)).reverse();
  const order: CachedCommit[] = [];
  while (ready.length > 0) {
    const commit = ready.pop()!;
    order.push(commit);
    for (const oid of [...commit.requires].reverse()) {
      const left = pending.get(oid)! - 1;
      pending.set(oid, left);
      if (left === 0) ready.push(commits.get(oid)!);
    }
  }
  return order.length === commits.size ? order : null;
}

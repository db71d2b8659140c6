import type { KeySummary } from '../commands/list-keys.js';
import type { CommitReport, RangeReport, TagReport } from '../core/report.js';
import { columnsOfText, fit, printable, truncate, wrap } from './columns.js';

// the longest status, expired-signature, and two spaces
const STATUS_WIDTH = 19;
/** Past this many commits the default report lists the failures (at most this many) and a summary. */
export const LONG_RANGE = 50;
const WIDTH = 80;
const SIGNER_WIDTH = 28;
const INDENT = ' '.repeat(16);

/** How the human range report is laid out. */
export interface RangeFormatOptions {
  /** Every commit gets a row, however long the range. Default: past {@link LONG_RANGE} commits, failures and a summary. */
  verbose?: boolean;
}

/** The human report of `siggate verify`: a row per commit (or per failure, for a long range), a remedy under each failure, a verdict line. */
export function formatRangeReport(report: RangeReport, options: RangeFormatOptions = {}): string {
  const lines: string[] = [];
  const scope = report.since ? `${report.mode} since ${report.since.slice(0, 12)}` : report.mode;
  const cached = countWhere(report.commits, (c) => c.cached === true);
  const fromCache = cached > 0 ? `, ${cached} of them listed from the verification cache` : '';
  lines.push(`siggate: ${report.checked} commit${report.checked === 1 ? '' : 's'} checked (${scope}) up to ${report.target.slice(0, 12)}${fromCache}`);
  const long = !options.verbose && report.commits.length > LONG_RANGE;
  const shown = long ? failuresUpTo(report.commits, LONG_RANGE) : report.commits;
  lines.push(...formatCommitRows(shown));
  if (long) lines.push(...summarizeUnlisted(report.commits, shown));
  for (const warning of report.warnings) lines.push(`warning: ${printable(warning)}`);
  if (report.reason) lines.push(`${report.status}: ${printable(report.reason)}`);
  if (report.remedy) lines.push(`fix: ${printable(report.remedy)}`);
  lines.push(
    report.ok
      ? `PASSED: every required commit is validly signed by an allowed key`
      : `BLOCKED: ${describeFailure(report)}`,
  );
  return lines.join('\n') + '\n';
}

function describeFailure(report: RangeReport): string {
  if (report.status === 'not-descendant') return `the target does not descend from the trust root${report.remedy ? '' : ' (pass --allow-rewind if intended)'}`;
  if (report.status === 'untrusted-root') return 'the trust root can be moved by whoever can push it, or it is not validly signed by the key it must be signed by; nothing was checked';
  return `${report.failed} of ${report.checked} commit${report.checked === 1 ? '' : 's'} failed`;
}

/**
 * One row per commit within 80 columns — short oid and status whole, signer and subject cut to what is
 * left — and under each failure why and how to fix it, wrapped.
 */
export function formatCommitRows(commits: readonly CommitReport[]): string[] {
  let statusWidth = 0;
  let signerWidth = 1;
  const signers = commits.map((commit) => {
    const label = signerLabel(commit);
    statusWidth = Math.max(statusWidth, commit.status.length);
    signerWidth = Math.max(signerWidth, columnsOfText(label));
    return label;
  });
  signerWidth = Math.min(signerWidth, SIGNER_WIDTH);
  const subjectWidth = WIDTH - (2 + 12 + 2 + statusWidth + 2 + signerWidth + 2);
  const rows: string[] = [];
  commits.forEach((commit, i) => {
    const row = `  ${commit.oid.slice(0, 12)}  ${commit.status.padEnd(statusWidth)}  ${fit(signers[i]!, signerWidth)}  ${truncate(printable(commit.subject), subjectWidth)}`;
    rows.push(row.trimEnd());
    if (commit.status === 'valid') return;
    if (commit.reason) rows.push(...wrap(`${INDENT}why: `, printable(commit.reason), `${INDENT}     `, WIDTH));
    if (commit.remedy) rows.push(...wrap(`${INDENT}fix: `, printable(commit.remedy), `${INDENT}     `, WIDTH));
  });
  return rows;
}

/** `name fingerprint…` with the name cut so that the fingerprint's start always shows; `-` for no signer. */
function signerLabel(commit: CommitReport): string {
  if (!commit.signer) return '-';
  const { fingerprint, userId } = commit.signer;
  const short = fingerprint.startsWith('SHA256:') ? fingerprint.slice(0, 15) + '…' : fingerprint.slice(0, 12) + '…';
  // the name says who; the address is in the JSON and `siggate keys`
  const name = printable(userId === null ? '?' : (/^(.*\S)\s*<[^<>]*>$/.exec(userId)?.[1] ?? userId));
  return `${truncate(name, SIGNER_WIDTH - short.length - 1)} ${short}`;
}

function failuresUpTo(commits: readonly CommitReport[], limit: number): CommitReport[] {
  const failures: CommitReport[] = [];
  for (const commit of commits) {
    if (failures.length === limit) break;
    if (commit.status !== 'valid') failures.push(commit);
  }
  return failures;
}

/** A line counting the commits a long range's report does not list, by status. */
function summarizeUnlisted(commits: readonly CommitReport[], shown: readonly CommitReport[]): string[] {
  const listed = new Set(shown);
  const byStatus = new Map<string, number>([['valid', 0]]);
  for (const commit of commits) if (!listed.has(commit)) byStatus.set(commit.status, (byStatus.get(commit.status) ?? 0) + 1);
  const unlisted = commits.length - shown.length;
  const counts = [...byStatus].filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status}`);
  return wrap('  ', `${unlisted} commit${unlisted === 1 ? '' : 's'} not listed (${counts.join(', ')}); --verbose lists every commit`, '  ', WIDTH);
}

function countWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  let count = 0;
  for (const item of items) if (test(item)) count++;
  return count;
}

export function formatTagReport(report: TagReport): string {
  const signer = report.signer ? printable(`${report.signer.userId ?? '?'} ${report.signer.fingerprint}`) : '-';
  const lines = [`siggate: tag ${report.tag} (${report.oid.slice(0, 12)} → ${report.targetType} ${report.target.slice(0, 12)})`, `  ${report.status.padEnd(STATUS_WIDTH)}${signer}`];
  if (!report.ok && report.reason) lines.push(`  why: ${printable(report.reason)}`);
  if (!report.ok && report.remedy) lines.push(`  fix: ${printable(report.remedy)}`);
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  lines.push(report.ok ? 'PASSED: the tag is validly signed by an allowed key' : `BLOCKED: the tag's signature is ${report.status}`);
  return lines.join('\n') + '\n';
}

/** REVOKED with when and how, EXPIRED with when, or when it expires. */
function keyState(key: KeySummary): string {
  if (key.revoked) return `REVOKED ${key.revocation ?? ''}`.trimEnd();
  if (key.expires === null) return 'no valid self-signature';
  if (key.expires === 'never') return 'expires never';
  return Date.parse(key.expires) < Date.now() ? `EXPIRED ${key.expires.slice(0, 10)}` : `expires ${key.expires.slice(0, 10)}`;
}

export function formatKeys(keys: readonly KeySummary[]): string {
  const lines: string[] = [];
  for (const key of keys) {
    lines.push(`${key.format.padEnd(8)}${key.fingerprint}  ${key.algorithm}  ${keyState(key)}`);
    for (const uid of key.userIds) lines.push(`        ${uid}`);
    if (key.created) lines.push(`        created ${key.created.slice(0, 10)}  from ${key.source}`);
    else lines.push(`        from ${key.source}`);
    for (const sub of key.subkeys) {
      const state = sub.revoked ? '  REVOKED' : sub.expires === null ? '  not bound' : sub.expires !== 'never' && Date.parse(sub.expires) < Date.now() ? `  EXPIRED ${sub.expires.slice(0, 10)}` : '';
      lines.push(`        subkey ${sub.fingerprint}  ${sub.algorithm}  ${sub.usage}  created ${sub.created.slice(0, 10)}${state}`);
    }
    for (const warning of key.warnings) lines.push(`        warning: ${warning}`);
  }
  return lines.join('\n') + '\n';
}


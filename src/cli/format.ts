import type { KeySummary } from '../commands/list-keys.js';
import type { CommitReport, RangeReport, TagReport } from '../core/report.js';

const STATUS_WIDTH = 15;

/** The human report of `siggate verify`: one row per commit, a remedy under each failure, a verdict line. */
export function formatRangeReport(report: RangeReport): string {
  const lines: string[] = [];
  const scope = report.since ? `${report.mode} since ${report.since.slice(0, 12)}` : report.mode;
  lines.push(`siggate: ${report.checked} commit${report.checked === 1 ? '' : 's'} checked (${scope}) up to ${report.target.slice(0, 12)}`);
  for (const commit of report.commits) lines.push(...formatCommitRow(commit));
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (report.reason) lines.push(`${report.status}: ${report.reason}`);
  if (report.remedy) lines.push(`fix: ${report.remedy}`);
  lines.push(
    report.ok
      ? `PASSED: every required commit is validly signed by an allowed key`
      : `BLOCKED: ${describeFailure(report)}`,
  );
  return lines.join('\n') + '\n';
}

function describeFailure(report: RangeReport): string {
  if (report.status === 'not-descendant') return 'the target does not descend from the trust root (pass --allow-rewind if intended)';
  if (report.status === 'untrusted-root') return 'the trust root can be moved by whoever can push it, or its signature is not valid; nothing was checked';
  return `${report.failed} of ${report.checked} commit${report.checked === 1 ? '' : 's'} failed`;
}

export function formatCommitRow(commit: CommitReport): string[] {
  const signer = commit.signer ? `${commit.signer.userId ?? '?'} ${shortFingerprint(commit.signer.fingerprint)}` : '-';
  const rows = [`  ${commit.oid.slice(0, 12)}  ${commit.status.padEnd(STATUS_WIDTH)}${truncate(signer, 48).padEnd(50)}${truncate(commit.subject, 60)}`];
  if (commit.status !== 'valid') {
    if (commit.reason) rows.push(`${' '.repeat(16)}why: ${commit.reason}`);
    if (commit.remedy) rows.push(`${' '.repeat(16)}fix: ${commit.remedy}`);
  }
  return rows;
}

export function formatTagReport(report: TagReport): string {
  const signer = report.signer ? `${report.signer.userId ?? '?'} ${report.signer.fingerprint}` : '-';
  const lines = [`siggate: tag ${report.tag} (${report.oid.slice(0, 12)} → ${report.targetType} ${report.target.slice(0, 12)})`, `  ${report.status.padEnd(STATUS_WIDTH)}${signer}`];
  if (!report.ok && report.reason) lines.push(`  why: ${report.reason}`);
  if (!report.ok && report.remedy) lines.push(`  fix: ${report.remedy}`);
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  lines.push(report.ok ? 'PASSED: the tag is validly signed by an allowed key' : `BLOCKED: the tag's signature is ${report.status}`);
  return lines.join('\n') + '\n';
}

export function formatKeys(keys: readonly KeySummary[]): string {
  const lines: string[] = [];
  for (const key of keys) {
    const state = key.revoked ? `REVOKED (${key.revocation})` : key.expires === null ? 'no valid self-signature' : `expires ${key.expires === 'never' ? 'never' : key.expires.slice(0, 10)}`;
    lines.push(`${key.format.padEnd(8)}${key.fingerprint}  ${key.algorithm}  ${state}`);
    for (const uid of key.userIds) lines.push(`        ${uid}`);
    if (key.created) lines.push(`        created ${key.created.slice(0, 10)}  from ${key.source}`);
    else lines.push(`        from ${key.source}`);
    for (const sub of key.subkeys) lines.push(`        subkey ${sub.fingerprint}  ${sub.algorithm}  created ${sub.created.slice(0, 10)}`);
    for (const warning of key.warnings) lines.push(`        warning: ${warning}`);
  }
  return lines.join('\n') + '\n';
}

function shortFingerprint(fingerprint: string): string {
  return fingerprint.startsWith('SHA256:') ? fingerprint.slice(0, 19) + '…' : fingerprint.slice(0, 16) + '…';
}

function truncate(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + '…' : text;
}

import type { RangeReport } from '../../core/report.js';

/** One line per reason a range report did not pass: the range-level reason, then each failing commit. */
export function describeFailures(report: RangeReport): string[] {
  const lines: string[] = [];
  if (report.reason) lines.push(`${report.status}: ${report.reason}`);
  if (report.remedy) lines.push(`fix: ${report.remedy}`);
  for (const commit of report.commits) {
    if (commit.status === 'valid') continue;
    const signer = commit.signer ? ` by ${commit.signer.fingerprint}` : '';
    lines.push(`${commit.oid.slice(0, 12)} ${commit.status}${signer}: ${commit.reason ?? ''} (${commit.subject})`);
  }
  return lines;
}

/** A short status for a log line: the range status, or the first failing commit's status. */
export function summarize(report: RangeReport): string {
  if (report.status !== 'failed') return report.status;
  return report.commits.find((c) => c.status !== 'valid')?.status ?? report.status;
}

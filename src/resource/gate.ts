import { verifyRange } from '../commands/verify-range.js';
import { verifyTag } from '../commands/verify-tag.js';
import type { RangeReport, TagReport } from '../commands/types.js';
import type { ResourcePolicy } from './policy.js';

/** Logs a line to stderr (the resource's only human channel). */
export type Log = (line: string) => void;

/** Verify `target` under the source's policy in a local repository. `cache` only for repositories we own. */
export function verifyUnderPolicy(repo: string, target: string, policy: ResourcePolicy, cache: boolean): Promise<RangeReport> {
  return verifyRange({ ...policy.verify, ...policy.range, repo, target, cache });
}

/** Verify an annotated tag object's own signature under the source's keys and allow list. */
export function verifyTagUnderPolicy(repo: string, tag: string, policy: ResourcePolicy): Promise<TagReport> {
  return verifyTag({ ...policy.verify, repo, tag });
}

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

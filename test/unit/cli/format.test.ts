import { describe, expect, it } from 'vitest';
import { columnsOfText } from '../../../src/cli/columns.js';
import { formatRangeReport, LONG_RANGE } from '../../../src/cli/format.js';
import type { CommitReport, RangeReport } from '../../../src/core/report.js';
import type { VerdictStatus } from '../../../src/core/verdict.js';

const oidOf = (i: number): string => i.toString(16).padStart(40, 'a');

const ALICE = { fingerprint: 'A'.repeat(40), signingKey: 'B'.repeat(40), userId: 'Alice Example <alice@example.org>' };

function commit(i: number, status: VerdictStatus = 'valid', extra: Partial<CommitReport> = {}): CommitReport {
  const valid = status === 'valid';
  return {
    oid: oidOf(i),
    status,
    format: valid ? 'openpgp' : 'none',
    signer: valid ? ALICE : null,
    signedAt: valid ? '2026-11-20T10:00:00Z' : null,
    subject: `commit ${i}`,
    reason: valid ? null : 'commit has no signature',
    ...(valid ? {} : { remedy: 'sign it (git commit -S) with an allowed key' }),
    ...extra,
  };
}

function report(commits: CommitReport[]): RangeReport {
  const failed = commits.filter((c) => c.status !== 'valid').length;
  return { ok: failed === 0, status: failed === 0 ? 'passed' : 'failed', target: commits[0]?.oid ?? oidOf(0), since: null, mode: 'all', checked: commits.length, failed, reason: null, commits, reused: [], warnings: [] };
}

/** The commit rows: two spaces and a 12-hex short oid. */
const rowsOf = (text: string): string[] => text.split('\n').filter((line) => /^ {2}[0-9a-f]{12} {2}/.test(line));
const range = (count: number, status: (i: number) => VerdictStatus = () => 'valid'): CommitReport[] => Array.from({ length: count }, (_, i) => commit(i, status(i)));

describe('formatRangeReport', () => {
  it('lists every commit of a short range', () => {
    expect(rowsOf(formatRangeReport(report(range(LONG_RANGE))))).toHaveLength(LONG_RANGE);
  });

  it('keeps every row within 80 columns: the subject and the signer are cut, never the short oid or the status', () => {
    const long = 'a subject far longer than any terminal is wide, '.repeat(4);
    const commits = [
      commit(1, 'valid', { subject: long, signer: { ...ALICE, userId: 'Someone With A Remarkably Long Name Indeed <someone@example.org>' } }),
      commit(2, 'expired-signature', { subject: long, signer: { fingerprint: 'SHA256:' + 'x'.repeat(43), signingKey: 'SHA256:' + 'x'.repeat(43), userId: 'deploy@example.org' }, format: 'ssh' }),
      commit(3, 'unsigned', { subject: '漢字'.repeat(40) }),
      commit(4, 'valid', { subject: 'short' }),
    ];
    const text = formatRangeReport(report(commits));
    const rows = rowsOf(text);
    expect(rows).toHaveLength(4);
    for (const line of text.split('\n').filter((l) => l.startsWith('  '))) expect(columnsOfText(line)).toBeLessThanOrEqual(80);
    commits.forEach((c, i) => {
      expect(rows[i]!.startsWith(`  ${c.oid.slice(0, 12)}  ${c.status} `)).toBe(true);
    });
    expect(rows[0]).toContain('…');
    expect(rows[1]).toContain('SHA256:');
    expect(rows[3]).toMatch(/ short$/);
  });

  it('prints what a subject or a user ID could use to rewrite the terminal as plain characters', () => {
    const text = formatRangeReport(report([commit(1, 'valid', { subject: 'evil\x1b[2J\x1b]0;title\x07\u202e', signer: { ...ALICE, userId: 'Mal\x1b[31m' } })]));
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e]/);
  });

  it('lists only the failures of a long range, and counts what it leaves out', () => {
    const commits = range(LONG_RANGE * 4, (i) => (i === 7 ? 'unsigned' : i === 150 ? 'unknown-key' : 'valid'));
    const text = formatRangeReport(report(commits));
    expect(rowsOf(text).map((row) => row.slice(2, 14))).toEqual([oidOf(7).slice(0, 12), oidOf(150).slice(0, 12)]);
    expect(text).toContain(`${commits.length - 2} `);
    expect(text).toMatch(/--verbose/);
  });

  it('lists no rows for a long range that passes, but says how many commits were checked', () => {
    const text = formatRangeReport(report(range(LONG_RANGE + 1)));
    expect(rowsOf(text)).toEqual([]);
    expect(text).toContain(`${LONG_RANGE + 1} commits checked`);
    expect(text).toMatch(/^PASSED/m);
  });

  it('lists at most the first failures of a long range that mostly fails', () => {
    const commits = range(LONG_RANGE * 3, () => 'unsigned');
    const rows = rowsOf(formatRangeReport(report(commits)));
    expect(rows).toHaveLength(LONG_RANGE);
    expect(rows[0]!.slice(2, 14)).toBe(commits[0]!.oid.slice(0, 12));
  });

  it('lists every commit with verbose', () => {
    const commits = range(LONG_RANGE * 4, (i) => (i === 7 ? 'unsigned' : 'valid'));
    expect(rowsOf(formatRangeReport(report(commits), { verbose: true }))).toHaveLength(commits.length);
  });

  it('says how many commits came from the verification cache', () => {
    const commits = range(5).map((c, i) => (i > 1 ? { ...c, cached: true as const } : c));
    const header = formatRangeReport(report(commits)).split('\n')[0]!;
    expect(header).toMatch(/\b5 commits checked/);
    expect(header).toMatch(/\b3 .*cache/);
    expect(formatRangeReport(report(range(5))).split('\n')[0]).not.toMatch(/cache/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseGuixAuthorizations, type GuixAuthorizations } from '../../../src/core/guix-authorizations.js';
import { applyGuixRule, type ParentPolicy } from '../../../src/core/guix-rule.js';
import type { CommitReport } from '../../../src/core/report.js';

const KEY = 'A'.repeat(40);
const OTHER = 'B'.repeat(40);
const listing = (...fprs: string[]): GuixAuthorizations => parseGuixAuthorizations(new TextEncoder().encode(`(authorizations (version 0) (${fprs.map((f) => `("${f}")`).join(' ')}))`));
const file = (parent: string, ...fprs: string[]): ParentPolicy => ({ parent, kind: 'file', authorizations: listing(...fprs) });
const valid: CommitReport = { oid: 'c'.repeat(40), status: 'valid', format: 'openpgp', signer: { fingerprint: OTHER, signingKey: KEY, userId: null }, signedAt: null, subject: 's', reason: null };

describe('applyGuixRule', () => {
  it('keeps a commit whose signing key every parent lists', () => {
    expect(applyGuixRule(valid, { hasOwnFile: true, parents: [file('p1', KEY), file('p2', KEY, OTHER)] }).status).toBe('valid');
  });

  it('compares the signing key, not its primary', () => {
    expect(applyGuixRule(valid, { hasOwnFile: true, parents: [file('p1', OTHER)] }).status).toBe('not-allowed');
  });

  it.each<[string, ParentPolicy[], boolean]>([
    ['one parent of a merge does not list it', [file('p1', KEY), file('p2', OTHER)], true],
    ['a root commit', [], true],
    ['a parent that removed the file', [{ parent: 'p1', kind: 'removed' }], true],
    ['a parent from before the authorizations', [{ parent: 'p1', kind: 'none' }], true],
    ['a parent whose file is unreadable', [{ parent: 'p1', kind: 'file', authorizations: { ok: false, problem: 'x' } }], true],
    ['the commit itself removes the file', [file('p1', KEY)], false],
  ])('refuses when %s, naming the parent', (_what, parents, hasOwnFile) => {
    const report = applyGuixRule(valid, { hasOwnFile, parents });
    expect(report.status).toBe('not-allowed');
    expect(report.remedy).toBeTruthy();
  });

  it('leaves other verdicts as they are', () => {
    const unsigned: CommitReport = { ...valid, status: 'unsigned', signer: null };
    expect(applyGuixRule(unsigned, { hasOwnFile: true, parents: [] })).toBe(unsigned);
  });
});

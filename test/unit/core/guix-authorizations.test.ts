import { describe, expect, it } from 'vitest';
import { formatGuixFingerprint, parseGuixAuthorizations, parseGuixChannelKeyring, parseIntroSigner } from '../../../src/core/guix-authorizations.js';
import { findTreeEntry } from '../../../src/core/tree.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const FPR = '2A393FFF68F4EF7A3D2912AF6F5120A022FBB2D5';

describe('parseGuixAuthorizations', () => {
  it('reads the nonguix shape: comments before the fingerprint, names, double spaces', () => {
    const text = `;;; SPDX-License-Identifier: GPL-3.0-or-later
(authorizations
 (version 0)
 (("2A39 3FFF 68F4 EF7A 3D29  12AF 6F51 20A0 22FB B2D5"
   (name "ajgrf"))
  (;; primary: "220F 98D9 5E86 204C 0036  DA7B 6DEC 4360 408B 4185"
   "F4C2 D1DF 3FDE EA63 D1D3  0776 ACC6 6D09 CA52 8292"
   (name "hako"))))
trailing garbage ( is ignored`;
    const parsed = parseGuixAuthorizations(bytes(text));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.entries).toEqual([
      { fingerprint: FPR, name: 'ajgrf' },
      { fingerprint: 'F4C2D1DF3FDEEA63D1D30776ACC66D09CA528292', name: 'hako' },
    ]);
  });

  it('handles block and datum comments, brackets and an empty list', () => {
    expect(parseGuixAuthorizations(bytes('#| a #| nested |# comment |# (authorizations #;(ignored "x") [version 0] ())'))).toMatchObject({ ok: true, entries: [] });
  });

  it.each([
    ['another version', '(authorizations (version 1) (("AB")))'],
    ['a version that is not an integer', '(authorizations (version "0") (("AB")))'],
    ['an entry that is a bare string', '(authorizations (version 0) ("AB"))'],
    ['a non-hex fingerprint', '(authorizations (version 0) (("2A39 3FFF ZZ")))'],
    ['an odd number of hex digits', '(authorizations (version 0) (("ABC")))'],
    ['another form', '(channel (version 0))'],
    ['an empty file', ''],
    ['an unterminated list', '(authorizations (version 0) (("AB")'],
    ['a token the reader does not know', '(authorizations (version 0) (("AB" #(vector))))'],
  ])('refuses %s', (_what, text) => {
    expect(parseGuixAuthorizations(bytes(text)).ok).toBe(false);
  });

  it('accepts fingerprints of another length, which then match no key (Guix does not check)', () => {
    const parsed = parseGuixAuthorizations(bytes('(authorizations (version 0) (("6F51 20A0 22FB B2D5")))'));
    expect(parsed.ok && [...parsed.fingerprints]).toEqual(['6F5120A022FBB2D5']);
  });
});

describe('parseGuixChannelKeyring', () => {
  it('finds keyring-reference, or null without one', () => {
    expect(parseGuixChannelKeyring(bytes('(channel (version 0) (keyring-reference "my-keyring") (url "x"))'))).toBe('my-keyring');
    expect(parseGuixChannelKeyring(bytes('(channel (version 0) (news-file "news.txt"))'))).toBeNull();
    expect(parseGuixChannelKeyring(bytes('(authorizations)'))).toHaveProperty('problem');
  });
});

describe('introduction signers and fingerprints', () => {
  it('takes spaces, refuses other characters and other lengths', () => {
    expect(parseIntroSigner('2A39 3FFF 68F4 EF7A 3D29  12AF 6F51 20A0 22FB B2D5')).toBe(FPR);
    expect(parseIntroSigner('0x2A393FFF68F4EF7A3D2912AF6F5120A022FBB2D5')).toBeNull();
    expect(parseIntroSigner('6F5120A022FBB2D5')).toBeNull();
  });

  it('formats as Guix prints', () => {
    expect(formatGuixFingerprint(FPR)).toBe('2A39 3FFF 68F4 EF7A 3D29  12AF 6F51 20A0 22FB B2D5');
  });
});

describe('findTreeEntry', () => {
  it('finds a top-level entry by its exact name', () => {
    const oid = 'ab'.repeat(20);
    const entry = (mode: string, name: string) => Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(oid, 'hex')]);
    const tree = Buffer.concat([entry('100644', '.guix-authorizations'), entry('40000', 'gnu')]);
    expect(findTreeEntry(tree, '.guix-authorizations', 'sha1')).toEqual({ mode: '100644', oid });
    expect(findTreeEntry(tree, '.guix-channel', 'sha1')).toBeNull();
    expect(() => findTreeEntry(tree.subarray(0, 30), 'x', 'sha1')).toThrow();
  });
});

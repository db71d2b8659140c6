import { describe, expect, it } from 'vitest';
import { buildAllowList, classifyAllowEntry, type KeyLookup } from '../../../src/core/allow-list.js';
import { KeyConfigError } from '../../../src/core/errors.js';

const A = 'A'.repeat(40);
const B = 'B'.repeat(40);
const keys: KeyLookup = {
  fingerprints: () => new Set([A, B]),
  primariesWithKeyId: (id) => new Set(id === A.slice(-16) ? [A] : id === 'C'.repeat(16) ? [A, B] : []),
};

describe('classifyAllowEntry', () => {
  it.each([
    [A.toLowerCase(), 'fingerprint'],
    [`0x${'ab'.repeat(20)}`, 'fingerprint'],
    ['AAAA AAAA AAAA AAAA AAAA  AAAA AAAA AAAA AAAA AAAA', 'fingerprint'],
    ['SHA256:' + 'x'.repeat(43), 'fingerprint'],
    ['ABCDEF0123456789', 'long-id'],
    ['DEADBEEF', 'short-id'],
    ['alice', 'invalid'],
  ])('%s is a %s', (raw, kind) => {
    expect(classifyAllowEntry(raw).kind).toBe(kind);
  });
});

describe('buildAllowList', () => {
  it('allows every key when no entry is given', () => {
    expect(buildAllowList([], keys, () => {}).allows('anything')).toBe(true);
  });

  it('narrows to the fingerprints named, and warns about one that names no key', () => {
    const warnings: string[] = [];
    const list = buildAllowList([A, 'D'.repeat(40)], keys, (w) => warnings.push(w));
    expect(list.allows(A)).toBe(true);
    expect(list.allows(B)).toBe(false);
    expect(warnings).toHaveLength(1);
  });

  it('resolves a long key ID naming exactly one key, with a warning', () => {
    const warnings: string[] = [];
    expect(buildAllowList([A.slice(-16)], keys, (w) => warnings.push(w)).allows(A)).toBe(true);
    expect(warnings.join()).toMatch(/resolved/);
  });

  it.each([['C'.repeat(16)], ['E'.repeat(16)], ['DEADBEEF'], ['not-a-key']])('refuses %s', (entry) => {
    expect(() => buildAllowList([entry], keys, () => {})).toThrow(KeyConfigError);
  });
});

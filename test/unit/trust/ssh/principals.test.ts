import { describe, expect, it } from 'vitest';
import type { AllowedSigner } from '../../../../src/trust/ssh/allowed-signers.js';
import { allowsNamespace, authorizeSshSigner, type Authorization } from '../../../../src/trust/ssh/principals.js';

const AT = new Date('2024-06-01T00:00:00Z');

/** An allowed_signers entry for the signing key: `principals` is the field as written. */
function entry(line: number, principals: string, options: Partial<AllowedSigner> = {}): AllowedSigner {
  return {
    principals: principals.split(','),
    principalPatterns: true,
    keyType: 'ssh-ed25519',
    keyBlob: new Uint8Array(0),
    fingerprint: 'SHA256:test',
    namespaces: null,
    validAfter: null,
    validBefore: null,
    certAuthority: false,
    source: 'allowed_signers',
    line,
    ...options,
  };
}

/** The principal and line that verified, or the rejection status. */
function outcome(authorization: Authorization): string {
  return authorization.ok ? `${authorization.principal}@${authorization.entry.line}` : authorization.rejection.status;
}

function authorize(entries: AllowedSigner[], time: Date | null = AT, namespace = 'git'): string {
  return outcome(authorizeSshSigner(entries, namespace, time));
}

describe('authorizeSshSigner', () => {
  it('verifies the first principal of the first entry that admits it', () => {
    expect(authorize([entry(1, 'alice,bob')])).toBe('alice@1');
  });

  it('tries the next principal when the first one verifies nowhere', () => {
    expect(authorize([entry(1, 'carol,bob', { namespaces: ['file'] }), entry(2, 'bob')])).toBe('bob@2');
  });

  it('takes principals only from the first entry whose window contains the time', () => {
    const expired = entry(1, 'mallory', { validBefore: new Date('2020-01-01T00:00:00Z') });
    expect(authorize([expired, entry(2, 'alice')])).toBe('alice@2');
    expect(authorize([entry(1, 'alice', { namespaces: ['file'] }), entry(2, 'bob')])).toBe('not-allowed');
  });

  it('matches the printed principal against later entries as a pattern list', () => {
    expect(authorize([entry(1, 'alice', { namespaces: ['file'] }), entry(2, 'a*,!al')])).toBe('alice@2');
    expect(authorize([entry(1, 'alice', { namespaces: ['file'] }), entry(2, 'a*,!al*')])).toBe('not-allowed');
  });

  it('admits nobody through negations alone, and "*" as itself', () => {
    expect(authorize([entry(1, '!alice')])).toBe('not-allowed');
    expect(authorize([entry(1, '*,!bob')])).toBe('*@1');
  });

  it('reads a *.pub entry\'s principal literally', () => {
    expect(authorize([entry(1, '!odd comment', { principalPatterns: false })])).toBe('!odd comment@1');
    const pub = entry(2, 'a*', { principalPatterns: false });
    expect(authorize([entry(1, 'alice', { namespaces: ['file'] }), pub])).toBe('not-allowed');
  });

  it('reports a window that ends before the time as expired-key, one that starts after it as not-allowed', () => {
    expect(authorize([entry(1, 'alice', { validBefore: new Date('2024-05-31T23:59:59Z') })])).toBe('expired-key');
    expect(authorize([entry(1, 'alice', { validAfter: new Date('2024-06-01T00:00:01Z') })])).toBe('not-allowed');
  });

  it('counts both ends of the window as inside it', () => {
    expect(authorize([entry(1, 'alice', { validAfter: AT, validBefore: new Date('2024-06-02T00:00:00Z') })])).toBe('alice@1');
    expect(authorize([entry(1, 'alice', { validAfter: new Date('2024-05-01T00:00:00Z'), validBefore: AT })])).toBe('alice@1');
  });

  it('refuses a windowed entry when there is no time, and accepts an unwindowed one', () => {
    expect(authorize([entry(1, 'alice', { validBefore: AT })], null)).toBe('not-allowed');
    expect(authorize([entry(1, 'alice', { validBefore: AT }), entry(2, 'alice')], null)).toBe('alice@2');
  });
});

describe('allowsNamespace', () => {
  it.each([
    [null, true],
    [['git'], true],
    [['g?t'], true],
    [['file', ' git'], false],
    [['*', '!git'], false],
    [['!file'], false],
    [['Git'], false],
  ] as const)('namespaces=%j allows git: %s', (namespaces, expected) => {
    expect(allowsNamespace(entry(1, 'alice', { namespaces: namespaces ? [...namespaces] : null }), 'git')).toBe(expected);
  });
});

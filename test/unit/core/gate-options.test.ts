import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { gatePolicyOf, parseRangeMode, rangePolicyOf } from '../../../src/core/gate-options.js';

describe('the options normaliser', () => {
  it('defaults: ./keys, nothing narrowed, no leniency', () => {
    const policy = gatePolicyOf({});
    expect(policy).toMatchObject({ keys: ['./keys'], allow: [], allowFile: [], ignoreExpiry: false, allowWeak: false });
  });

  it('refuses an empty key list rather than verifying against nothing', () => {
    expect(() => gatePolicyOf({ keys: [] })).toThrow(UsageError);
  });

  it('the mode follows the trust root: first-parent with one, tip without', () => {
    expect(rangePolicyOf({}).mode).toBe('tip');
    expect(rangePolicyOf({ since: 'abc' }).mode).toBe('first-parent');
    expect(rangePolicyOf({ since: 'abc', mode: 'all' }).mode).toBe('all');
    expect(rangePolicyOf({ since: '' }).since).toBeNull();
  });

  it('parses a mode or says where the bad one came from', () => {
    expect(parseRangeMode('all', '--mode')).toBe('all');
    expect(() => parseRangeMode('everything', 'source.mode')).toThrow(/source\.mode/);
  });
});

describe('rangePolicyOf with policy guix', () => {
  const intro = '897c1a470da759236cc11798f4e0a5f7d4d59fbc';
  const signer = '2A39 3FFF 68F4 EF7A 3D29  12AF 6F51 20A0 22FB B2D5';

  it('takes the introduction as trust root, mode all, the signer normalised', () => {
    const range = rangePolicyOf({ policy: 'guix', since: intro, introSigner: signer });
    expect(range).toMatchObject({ since: intro, mode: 'all', inRepository: { kind: 'guix', introSigner: '2A393FFF68F4EF7A3D2912AF6F5120A022FBB2D5', keyringRef: null } });
    // a normalised range passed on keeps its policy
    expect(rangePolicyOf(range).inRepository).toEqual(range.inRepository);
  });

  it.each([
    ['no introduction', { introSigner: signer }],
    ['an introduction that is a name', { since: 'v1', introSigner: signer }],
    ['no signer', { since: intro }],
    ['a short signer', { since: intro, introSigner: '6F5120A022FBB2D5' }],
    ['another mode', { since: intro, introSigner: signer, mode: 'first-parent' as const }],
    ['a movable root allowed', { since: intro, introSigner: signer, allowUnsignedRoot: true }],
    ['a keyring ref with ..', { since: intro, introSigner: signer, keyringRef: 'a..b' }],
  ])('refuses %s', (_what, options) => {
    expect(() => rangePolicyOf({ policy: 'guix', ...options })).toThrow(UsageError);
  });

  it('refuses Guix options without the policy, and keys beside it', () => {
    expect(() => rangePolicyOf({ since: intro, introSigner: signer })).toThrow(UsageError);
    expect(() => gatePolicyOf({ keysFromRepository: true, keys: ['./keys'] })).toThrow(UsageError);
    expect(gatePolicyOf({ keysFromRepository: true })).toMatchObject({ keys: [], ignoreExpiry: true });
  });
});

describe('rangePolicyOf with policy sequoia', () => {
  const root = 'e582b07e73f9376be102df97d46a70282763fe32';
  it('the trust root is a full commit id; the mode is all', () => {
    expect(rangePolicyOf({ policy: 'sequoia', since: root })).toMatchObject({ since: root, mode: 'all', inRepository: { kind: 'sequoia' } });
  });

  it.each([
    ['no trust root', {}],
    ['a trust root by name', { since: 'main' }],
    ['another mode', { since: root, mode: 'first-parent' as const }],
    ['a Guix option', { since: root, introSigner: 'x' }],
    ['--allow-unsigned-root', { since: root, allowUnsignedRoot: true }],
  ])('refuses %s', (_, options) => {
    expect(() => rangePolicyOf({ policy: 'sequoia', ...options })).toThrow(UsageError);
  });
});

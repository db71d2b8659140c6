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

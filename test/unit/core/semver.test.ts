import { describe, expect, it } from 'vitest';
import { bumpSemVer, compareSemVer, formatSemVer, highestWithPrefix, parseSemVer, type SemVer } from '../../../src/core/semver.js';

const v = (text: string): SemVer => {
  const parsed = parseSemVer(text);
  if (!parsed) throw new Error(`not semver: ${text}`);
  return parsed;
};

describe('semver', () => {
  it('parses exactly semantic versions', () => {
    expect(v('1.22.333-rc.1+build.5')).toEqual({ major: 1, minor: 22, patch: 333, prerelease: ['rc', '1'], build: 'build.5' });
    for (const bad of ['1.2', '01.2.3', '1.2.3-', '1.2.3-01', 'v1.2.3', '1.2.3 ', '1.2.3-rc..1', '99999999999999999999.0.0']) {
      expect(parseSemVer(bad)).toBeNull();
    }
  });

  it('orders by precedence, pre-releases before their release, numeric identifiers numerically', () => {
    const sorted = ['1.0.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-rc.1', '0.9.10', '0.9.9', '1.0.0-alpha.beta', '1.0.0-beta']
      .map(v)
      .sort(compareSemVer)
      .map(formatSemVer);
    expect(sorted).toEqual(['0.9.9', '0.9.10', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']);
    expect(compareSemVer(v('1.0.0+a'), v('1.0.0+b'))).toBe(0);
  });

  it('bumps like npm semver', () => {
    expect(formatSemVer(bumpSemVer(v('1.2.3'), 'patch'))).toBe('1.2.4');
    expect(formatSemVer(bumpSemVer(v('1.2.3'), 'minor'))).toBe('1.3.0');
    expect(formatSemVer(bumpSemVer(v('1.2.3+b'), 'major'))).toBe('2.0.0');
    expect(formatSemVer(bumpSemVer(v('1.2.3-rc.1'), 'patch'))).toBe('1.2.3');
    expect(formatSemVer(bumpSemVer(v('1.3.0-rc.1'), 'minor'))).toBe('1.3.0');
    expect(formatSemVer(bumpSemVer(v('1.2.3-rc.1'), 'minor'))).toBe('1.3.0');
    expect(formatSemVer(bumpSemVer(v('2.0.0-rc.1'), 'major'))).toBe('2.0.0');
  });

  it('finds the highest version under a prefix, ignoring names that are not prefix + semver', () => {
    const names = ['prod-1.9.0', 'prod-1.10.0', 'prod-1.10.0-rc.1', 'prod-latest', 'production-9.0.0', 'staging-3.0.0'];
    expect(highestWithPrefix(names, 'prod-')?.name).toBe('prod-1.10.0');
    expect(highestWithPrefix(names, 'qa-')).toBeNull();
  });
});

describe('compareVersionText', () => {
  it('orders semver by precedence and other versions by numeric runs', async () => {
    const { compareVersionText } = await import('../../../src/core/semver.js');
    expect(['1.10.0', '1.9.0', '1.10.0-rc.1', '2.0.0'].sort(compareVersionText)).toEqual(['1.9.0', '1.10.0-rc.1', '1.10.0', '2.0.0']);
    expect(['1.10', '1.9', '1.9.1', 'build10', 'build9'].sort(compareVersionText)).toEqual(['1.9', '1.9.1', '1.10', 'build9', 'build10']);
  });
});

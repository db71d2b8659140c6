import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchPattern, matchPatternList } from '../../../../src/trust/ssh/pattern.js';

const LONG = 'a'.repeat(1023);
const PATTERN_LISTS = [
  'alice', '!alice', 'alice,!alice', '*,!bob', '*,!*', '!x,alice', 'a*', 'ali?e', 'Alice', '*@example.com',
  'a**e', '*?', '*a*b*', '?', '??', 'é*', LONG, LONG.slice(1), `!${LONG}`, `*,${LONG}`, `${LONG},*`,
];
const PRINCIPALS = ['alice', 'Alice', 'bob', '*', '!alice', 'ali', 'axxb', 'é', 'éé', 'a@example.com', LONG, LONG.slice(1), 'x'];

let dir = '';
let keyLine = '';

/** The pattern lists of PATTERN_LISTS that real `ssh-keygen -Y match-principals` says admit `principal`. */
function opensshMatches(allowedSigners: string, principal: string): string[] {
  const result = spawnSync('ssh-keygen', ['-Y', 'match-principals', '-I', principal, '-f', allowedSigners], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.split('\n').filter((line) => line !== '') : [];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'siggate-pattern-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
  keyLine = readFileSync(join(dir, 'key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('matchPatternList', () => {
  it('agrees with ssh-keygen -Y match-principals on every principal and pattern list', () => {
    const file = join(dir, 'allowed_signers');
    writeFileSync(file, PATTERN_LISTS.map((list) => `${list} ${keyLine}\n`).join(''));
    for (const principal of PRINCIPALS) {
      const ours = PATTERN_LISTS.filter((list) => matchPatternList(principal, list.split(',')) === 1);
      expect(ours, principal.slice(0, 20)).toEqual(opensshMatches(file, principal));
    }
  });

  it('returns -1 when a negation matches, even after a positive match', () => {
    expect(matchPatternList('alice', ['alice', '!alice'])).toBe(-1);
    expect(matchPatternList('alice', ['*', '!a*'])).toBe(-1);
  });

  it('returns 0 for negations alone, for no match, and for an empty list', () => {
    expect(matchPatternList('alice', ['!bob'])).toBe(0);
    expect(matchPatternList('alice', ['bob'])).toBe(0);
    expect(matchPatternList('alice', [])).toBe(0);
  });

  it('gives up on a subpattern of 1023 bytes or more, as OpenSSH does', () => {
    expect(matchPatternList(LONG.slice(1), [LONG.slice(1)])).toBe(1);
    expect(matchPatternList(LONG, [LONG])).toBe(0);
    expect(matchPatternList('alice', ['alice', LONG])).toBe(0);
  });
});

describe('matchPattern', () => {
  it.each([
    ['alice', 'alice', true],
    ['alice', 'Alice', false],
    ['alice', 'a*', true],
    ['alice', '*e', true],
    ['alice', 'a?ice', true],
    ['alice', 'a?', false],
    ['', '*', true],
    ['', '?', false],
    ['a*', 'a*', true],
    ['é', '?', false],
    ['é', '??', true],
  ])('matchPattern(%j, %j) is %s', (text, pattern, expected) => {
    expect(matchPattern(text, pattern)).toBe(expected);
  });
});

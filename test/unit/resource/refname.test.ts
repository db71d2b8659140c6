// source.branch and params.branch are judged as `git check-ref-format --branch` judges them, without git.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { branchNameProblem } from '../../../src/resource/git/refname.js';

const NAMES = ['main', 'release/1.x', 'feature/ü', '@', 'a.b-c_d', 'a..b', '-main', 'HEAD', 'a b', 'x/', '/x', 'a//b', '.hidden', 'a/.b', 'x.lock', 'a/x.lock/b', 'a@{1}', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', 'x.', 'tab\there', 'del\x7f', 'a/b.', '@{-1}', 'x@y', 'a.lock.b'];

function gitAccepts(name: string): boolean {
  return spawnSync('git', ['check-ref-format', '--branch', name], { cwd: '/' }).status === 0;
}

describe('branchNameProblem', () => {
  it.each(NAMES)('agrees with git check-ref-format --branch on %j', (name) => {
    // git expands @{-1} to the previous branch of the repository it runs in: never a name siggate takes
    const expected = name === '@{-1}' ? false : gitAccepts(name);
    expect(branchNameProblem(name) === null).toBe(expected);
  });

  it('refuses what git accepts but cannot be used: over 1 kB, a component over 255 bytes, a NUL byte', () => {
    expect(branchNameProblem('a'.repeat(200_000))).toMatch(/200000 bytes/);
    expect(branchNameProblem(`${'a'.repeat(256)}/b`)).not.toBeNull();
    expect(branchNameProblem('ma\0in')).not.toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { judgeCi, type CheckRun } from '../../../src/github/ci-status.js';

const run = (name: string, status: string, conclusion: string | null): CheckRun => ({ name, status, conclusion });

describe('judgeCi', () => {
  it('is green with a successful combined status', () => {
    expect(judgeCi([{ context: 'ci/build', state: 'success' }], [], []).ok).toBe(true);
  });

  it('is green with no statuses when every check run succeeded, was neutral or skipped', () => {
    const judgement = judgeCi([], [run('test', 'completed', 'success'), run('lint', 'completed', 'neutral'), run('docs', 'completed', 'skipped')], []);
    expect(judgement).toMatchObject({ ok: true, passed: ['test', 'lint', 'docs'] });
  });

  it('is not green when nothing reported at all', () => {
    expect(judgeCi([], [], []).ok).toBe(false);
  });

  it('names failing, pending and unfinished checks', () => {
    const judgement = judgeCi(
      [{ context: 'ci/build', state: 'pending' }],
      [run('test', 'completed', 'failure'), run('deploy-preview', 'in_progress', null), run('e2e', 'completed', 'cancelled')],
      [],
    );
    expect(judgement.ok).toBe(false);
    expect(judgement.problems.join('\n')).toMatch(/ci\/build.*pending[\s\S]*test.*failure[\s\S]*deploy-preview.*in progress[\s\S]*e2e.*cancelled/);
  });

  it('names required checks that never ran', () => {
    const judgement = judgeCi([], [run('test', 'completed', 'success')], ['test', 'security-scan']);
    expect(judgement.ok).toBe(false);
    expect(judgement.problems).toEqual(['required check "security-scan" has not run on the head']);
  });

  it('refuses a failing check run even when the combined status is green', () => {
    expect(judgeCi([{ context: 'ci/build', state: 'success' }], [run('test', 'completed', 'failure')], []).ok).toBe(false);
  });
});

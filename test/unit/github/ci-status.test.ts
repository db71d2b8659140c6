import { describe, expect, it } from 'vitest';
import { judgeCi, type CheckRun, type CombinedStatus, type CommitStatus } from '../../../src/github/ci-status.js';

const run = (name: string, status: string, conclusion: string | null, appId = 15368): CheckRun => ({ name, status, conclusion, app: { id: appId } });
/** The combined status GitHub would compute over `statuses`. */
const all = (statuses: CommitStatus[]): CombinedStatus => ({
  statuses,
  totalCount: statuses.length,
  state: statuses.some((s) => s.state === 'failure' || s.state === 'error') ? 'failure' : statuses.length === 0 || statuses.some((s) => s.state === 'pending') ? 'pending' : 'success',
});
const names = (...contexts: string[]) => contexts.map((context) => ({ context, appId: null }));

describe('judgeCi', () => {
  it('is green with a successful combined status', () => {
    expect(judgeCi(all([{ context: 'ci/build', state: 'success' }]), [], []).ok).toBe(true);
  });

  it('is green with no statuses when every check run succeeded, was neutral or skipped', () => {
    const judgement = judgeCi(all([]), [run('test', 'completed', 'success'), run('lint', 'completed', 'neutral'), run('docs', 'completed', 'skipped')], []);
    expect(judgement).toMatchObject({ ok: true, passed: ['test', 'lint', 'docs'] });
  });

  it('is not green when nothing reported at all', () => {
    expect(judgeCi(all([]), [], []).ok).toBe(false);
  });

  it('names failing, pending and unfinished checks', () => {
    const judgement = judgeCi(all([{ context: 'ci/build', state: 'pending' }]),
      [run('test', 'completed', 'failure'), run('deploy-preview', 'in_progress', null), run('e2e', 'completed', 'cancelled')],
      [],
    );
    expect(judgement.ok).toBe(false);
    expect(judgement.problems.join('\n')).toMatch(/ci\/build.*pending[\s\S]*test.*failure[\s\S]*deploy-preview.*in progress[\s\S]*e2e.*cancelled/);
  });

  it('names required checks that never ran', () => {
    const judgement = judgeCi(all([]), [run('test', 'completed', 'success')], names('test', 'security-scan'));
    expect(judgement.ok).toBe(false);
    expect(judgement.problems).toEqual(['required check "security-scan" has not run on the head']);
  });

  it('refuses a failing check run even when the combined status is green', () => {
    expect(judgeCi(all([{ context: 'ci/build', state: 'success' }]), [run('test', 'completed', 'failure')], []).ok).toBe(false);
  });

  it('an app-pinned required check is met only by a check run of that app, not a status or another app', () => {
    const pinned = [{ context: 'build', appId: 15368 }];
    expect(judgeCi(all([]), [run('build', 'completed', 'success')], pinned).ok).toBe(true);
    expect(judgeCi(all([{ context: 'build', state: 'success' }]), [run('lint', 'completed', 'success')], pinned).ok).toBe(false);
    expect(judgeCi(all([]), [run('build', 'completed', 'success', 999)], pinned).ok).toBe(false);
    expect(judgeCi(all([{ context: 'build', state: 'success' }]), [], [{ context: 'build', appId: -1 }]).ok).toBe(true);
  });

  it("refuses when GitHub's combined state is not success, or when statuses are missing from the pages read", () => {
    const statuses = [{ context: 'a', state: 'success' }];
    expect(judgeCi({ statuses, totalCount: 1, state: 'failure' }, [], []).ok).toBe(false);
    expect(judgeCi({ statuses, totalCount: 101, state: 'success' }, [], []).ok).toBe(false);
  });
});
